"""The outer loop (model step + task choice) and the gap evaluation on a task grid.

Per task t: choose psi_t (adversarial, uniform or Gaussian sampler; t = 0 is psi_0 = to_psi(0.3) for every
sampler); ``stages`` x {collect ``episodes`` real episodes with the current plan plus Gaussian action noise, refit
the model on all data, re-plan in the model}; for the adversary, one IFT gradient step on the gap; every
``eval_every`` tasks, the gap on the grid: plan in the model from zeros, value on the true simulator, against the
cached oracle V*. All samplers use the same real-sample count per task (the oracle terms are free: say so).

The adversary's gradient comes from ``estimator="exact"`` (autodiff IFT, :func:`paperlab.admrl.gap.gap_gradient`) or
``"reinforce"`` (the paper's score-function route, :func:`paperlab.admrl.reinforce_gap.gap_gradient_reinforce`);
``shadow=True`` also computes the other one at the same ``(psi, theta_hat, theta*)`` and records the cosine between
them without letting it steer (C3 measured inside the loop; its random draws come from their own generator, so a
shadowed run takes the same tasks as an unshadowed one).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from paperlab.admrl import adversary, planning
from paperlab.admrl.dynamics import DynamicsModel, fit
from paperlab.admrl.gap import gap_gradient
from paperlab.admrl.policies import act, n_params
from paperlab.admrl.reinforce_gap import gap_gradient_reinforce

SAMPLERS = ("adversarial", "uniform", "gauss")
ESTIMATORS = ("exact", "reinforce")
NAN_HINT = "use bounded actions (action_bound)"


@dataclass
class History:
    """What one run recorded; ``worst_gap[i]``/``p90_gap[i]``/``mean_gap[i]`` are measured after task ``eval_t[i]``.

    ``p90_gap`` is the 90th percentile of the gap over the grid: a robust companion of the worst gap, which a single
    grid task where the learned model is exploited can spike.
    """

    sampler: str
    seed: int
    psi: list = field(default_factory=list)
    u: list = field(default_factory=list)
    real_samples: list = field(default_factory=list)
    eval_t: list = field(default_factory=list)
    worst_gap: list = field(default_factory=list)
    p90_gap: list = field(default_factory=list)
    mean_gap: list = field(default_factory=list)
    grid_gaps: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    cg_residual: list = field(default_factory=list)
    nan_events: list = field(default_factory=list)
    estimator: str = "exact"
    grad_cosine: list = field(default_factory=list)
    repeat_cosine: list = field(default_factory=list)
    shadow_grads: list = field(default_factory=list)
    adversary_real_samples: list = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> History:
        return cls(**json.loads(text))


def collect(
    family,
    theta: torch.Tensor,
    psi: torch.Tensor,
    episodes: int,
    horizon: int,
    noise: float,
    gen: torch.Generator,
    bound: float | None,
):
    """Real transitions ``(S, A, S2)``, each ``[episodes * horizon, .]``, from the true simulator with noisy actions."""
    s = family.reset(episodes, gen)[None]
    S, A, S2 = [], [], []
    with torch.no_grad():
        for _ in range(horizon):
            a = act(theta[None], family.features(s), bound) + noise * torch.randn(
                1, episodes, family.act_dim, generator=gen, dtype=torch.float64
            )
            if bound is not None:
                a = a.clamp(-bound, bound)
            s2 = family.step(s, a)
            S.append(s[0]), A.append(a[0]), S2.append(s2[0])
            s = s2
    return torch.cat(S), torch.cat(A), torch.cat(S2)


def gap_on_grid(
    model_step, family, grid: torch.Tensor, v_star: torch.Tensor, s0: torch.Tensor, cfg
) -> torch.Tensor:
    """``V*(psi) - V(theta_hat(psi), psi)`` for every grid task ``[G]`` (theta_hat planned in ``model_step`` from zeros)."""
    theta, _ = planning.plan(model_step, family, grid, s0, cfg.horizon, cfg.plan_iters, cfg.action_bound)
    with torch.no_grad():
        v = planning.value(family.step, family, theta, grid, s0, cfg.horizon, cfg.action_bound)
    return v_star - v


def eval_states(family, cfg, seed: int) -> torch.Tensor:
    """Fixed initial states (common random numbers) for planning and evaluation: ``[n_init, d]``."""
    return family.reset(cfg.n_init, torch.Generator().manual_seed(10_000 + seed))


def grid_oracle(
    family, cfg, seed: int, grid: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(grid [G, k], V* [G])`` on the true simulator (best of ``oracle_starts`` L-BFGS runs)."""
    grid = family.box.grid(cfg.grid_n) if grid is None else grid
    gen = torch.Generator().manual_seed(20_000 + seed)
    _, v = planning.oracle(
        family,
        grid,
        eval_states(family, cfg, seed),
        cfg.horizon,
        cfg.oracle_iters,
        cfg.oracle_starts,
        gen,
        cfg.action_bound,
    )
    return grid, v


def run_admrl(
    family,
    sampler: str,
    cfg,
    seed: int,
    oracle: tuple[torch.Tensor, torch.Tensor] | None = None,
    model_step=None,
    estimator: str = "exact",
    shadow: bool = False,
) -> History:
    """One run of ``cfg.n_tasks`` task iterations with ``sampler`` in ``SAMPLERS``.

    ``oracle``: a precomputed ``grid_oracle`` (share it across samplers of the same seed);
    ``model_step``: replace the learned model by a fixed simulator (e.g. ``family.step``: the perfect-model floor);
    ``estimator`` in ``ESTIMATORS``: the adversary's gradient; ``shadow``: also compute the other estimator at each
    adversary step and record the cosine between the two in ``History.grad_cosine`` (adversarial sampler only), the
    cosine between two independent REINFORCE draws at the same point in ``repeat_cosine`` (its sampling noise), and
    the gradients and implicit terms in ``shadow_grads``.
    ``History.adversary_real_samples``: real transitions the REINFORCE route sampled per step (0 for the exact route,
    whose real-system terms come from the differentiable simulator; neither is added to ``real_samples``).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    box = family.box
    grid, v_star = grid_oracle(family, cfg, seed) if oracle is None else oracle
    s0 = eval_states(family, cfg, seed)
    gen_data = torch.Generator().manual_seed(seed)
    gen_task = torch.Generator().manual_seed(30_000 + seed)
    gen_oracle = torch.Generator().manual_seed(40_000 + seed)
    gen_rf = torch.Generator().manual_seed(50_000 + seed)
    torch.manual_seed(seed)
    model = DynamicsModel(family.state_dim, family.act_dim, cfg.hidden)
    step = model.step if model_step is None else model_step
    data: list[tuple[torch.Tensor, ...]] = []
    hist = History(sampler, seed, estimator=estimator)
    u = box.u0()
    for t in range(cfg.n_tasks):
        if t > 0 and sampler == "uniform":
            u = box.to_u(box.sample_uniform(1, gen_task)[0])
        elif t > 0 and sampler == "gauss":
            u = box.to_u(box.sample_gauss(1, gen_task)[0])
        psi = box.to_psi(u)
        hist.u.append([round(x, 10) for x in u.tolist()])
        hist.psi.append([round(x, 10) for x in psi.tolist()])
        theta = torch.zeros(n_params(family), dtype=torch.float64)
        if data or model_step is not None:
            theta = planning.plan(step, family, psi[None], s0, cfg.horizon, cfg.plan_iters, cfg.action_bound)[
                0
            ][0]
        for _ in range(cfg.stages):
            data.append(
                collect(family, theta, psi, cfg.episodes, cfg.horizon, cfg.noise, gen_data, cfg.action_bound)
            )
            if model_step is None:
                S, A, S2 = (torch.cat(x) for x in zip(*data, strict=True))
                fit(model, S, A, S2, cfg.fit_steps, gen_data, batch=cfg.batch)
            theta = planning.plan(step, family, psi[None], s0, cfg.horizon, cfg.plan_iters, cfg.action_bound)[
                0
            ][0]
        hist.real_samples.append(len(data) * cfg.episodes * cfg.horizon)
        if sampler == "adversarial":
            theta_star, _ = planning.oracle(
                family,
                psi[None],
                s0,
                cfg.horizon,
                cfg.oracle_iters,
                cfg.oracle_starts,
                gen_oracle,
                cfg.action_bound,
            )
            args = (step, family, psi, theta, theta_star[0], s0, cfg.horizon)
            grads = {}
            if estimator == "exact" or shadow:
                grads["exact"] = gap_gradient(*args, cfg.action_bound, cfg.cg_iters, cfg.damping)
            if estimator == "reinforce" or shadow:
                grads["reinforce"] = gap_gradient_reinforce(*args, gen_rf, **reinforce_kwargs(cfg))
            g_psi, parts = grads[estimator]
            if shadow:
                again = gap_gradient_reinforce(*args, gen_rf, **reinforce_kwargs(cfg))[0]
                a, b = grads["exact"][0], grads["reinforce"][0]
                hist.grad_cosine.append(round(_cosine(a, b), 6))
                hist.repeat_cosine.append(round(_cosine(b, again), 6))
                hist.shadow_grads.append(
                    {
                        "exact": [round(x, 6) for x in a.tolist()],
                        "reinforce": [round(x, 6) for x in b.tolist()],
                        "exact_implicit": [round(x, 6) for x in grads["exact"][1]["implicit"].tolist()],
                        "reinforce_implicit": [round(x, 6) for x in grads["reinforce"][1]["implicit"].tolist()],
                    }
                )
            hist.adversary_real_samples.append(parts.get("real_samples_used", 0))
            g_u = g_psi * box.scale  # d psi / d u = (hi - lo) / 2
            if cfg.step_rule == "projected":
                u = adversary.projected_step(u, g_u, cfg.alpha, box.periodic)
            else:
                u, _ = adversary.normalised_step(u, g_u, cfg.eta)
            hist.grad_norm.append(round(float(g_psi.norm()), 6))
            hist.cg_residual.append(float(f"{parts['cg_residual']:.3e}"))
        if t % cfg.eval_every == 0 or t == cfg.n_tasks - 1:
            gaps = gap_on_grid(step, family, grid, v_star, s0, cfg)
            if bool(torch.isnan(gaps).any()):
                hist.nan_events.append(
                    f"t={t}: NaN gap at {int(torch.isnan(gaps).sum())} grid tasks; {NAN_HINT}"
                )
            hist.eval_t.append(t)
            filled = torch.nan_to_num(gaps, nan=math.inf)
            hist.worst_gap.append(round(float(filled.max()), 6))
            hist.p90_gap.append(round(float(torch.quantile(filled, 0.9)), 6))
            hist.mean_gap.append(round(float(gaps.nanmean()), 6))
            hist.grid_gaps.append([round(x, 6) for x in gaps.tolist()])
    return hist


def _cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(a @ b / (a.norm() * b.norm()).clamp_min(1e-300))


def reinforce_kwargs(cfg) -> dict:
    """The REINFORCE route's settings from a config (``reinforce_*`` fields)."""
    return {
        "bound": cfg.action_bound,
        "sigma": cfg.reinforce_sigma,
        "lam": cfg.reinforce_lam,
        "n_real": cfg.reinforce_real,
        "n_model": cfg.reinforce_model,
        "damping": cfg.reinforce_damping,
    }


def _one_seed(args) -> tuple[int, tuple[torch.Tensor, torch.Tensor], dict[str, History]]:
    family_name, cfg, seed, samplers, estimator, shadow = args
    from paperlab.admrl.tasks import make_family

    torch.set_num_threads(1)
    family = make_family(family_name)
    oracle = grid_oracle(family, cfg, seed)
    return seed, oracle, {s: run_admrl(family, s, cfg, seed, oracle, estimator=estimator, shadow=shadow) for s in samplers}


def run_seeds(
    family_name: str,
    cfg,
    seeds,
    samplers: tuple[str, ...] = SAMPLERS,
    workers: int = 1,
    estimator: str = "exact",
    shadow: bool = False,
) -> tuple[dict[str, list[History]], dict[int, tuple[torch.Tensor, torch.Tensor]]]:
    """Every sampler on every seed (one seed per job, ``workers`` forked processes; the result does not depend on
    ``workers``). Returns ``({sampler: [History per seed]}, {seed: grid_oracle})``, seeds in the given order.
    ``estimator`` and ``shadow`` go to :func:`run_admrl`."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    bad = [s for s in samplers if s not in SAMPLERS]
    if bad:
        raise ValueError(f"samplers must be drawn from {SAMPLERS}, got {bad}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    jobs = [(family_name, cfg, seed, tuple(samplers), estimator, shadow) for seed in seeds]
    if workers == 1 or len(jobs) == 1:
        done = [_one_seed(j) for j in jobs]
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            done = pool.map(_one_seed, jobs, chunksize=1)
    hists = {s: [runs[s] for _, _, runs in done] for s in samplers}
    return hists, {seed: oracle for seed, oracle, _ in done}


def auc(hist: History, metric: str = "worst_gap", t_from: int = 1) -> float:
    """Mean of ``metric`` over the evaluations at ``t >= t_from`` (the area under the curve per evaluation)."""
    vals = [v for t, v in zip(hist.eval_t, getattr(hist, metric), strict=True) if t >= t_from]
    if not vals:
        raise ValueError(f"no evaluation at t >= {t_from} (t_from)")
    return float(np.mean(vals))


def compare(
    a: list[History],
    b: list[History],
    metric: str = "worst_gap",
    level: float = 0.9,
    min_n: int = 8,
) -> dict:
    """Paired (by seed) difference of AUCs ``a - b``: mean, t-interval at ``level`` and its reading.

    Reading: ``"a lower"`` if the interval lies below 0, ``"a higher"`` if above, else ``"undecided"``;
    ``"underpowered"`` below ``min_n`` seeds (VERDICTS.md: a percentile bootstrap at n = 3 flags a null difference
    about 40 % of the time, so small samples get no reading). ``estimate`` is the
    :class:`~paperlab.core.estimates.Estimate` a scorecard row takes.
    """
    from paperlab.core.estimates import paired_comparison

    if [h.seed for h in a] != [h.seed for h in b]:
        raise ValueError("a and b must hold the same seeds in the same order")
    est = paired_comparison([auc(x, metric) for x in a], [auc(y, metric) for y in b], level=level, min_n=min_n)
    if est.underpowered:
        reading = "underpowered"
    else:
        reading = "a lower" if est.high < 0 else "a higher" if est.low > 0 else "undecided"
    return {"diffs": list(est.values), "mean": est.center, "low": est.low, "high": est.high, "reading": reading,
            "estimate": est}
