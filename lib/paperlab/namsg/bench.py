"""Comparison runners: the same seeded data and mini-batch order for every optimizer.

``make_optimizer(name, params, lr)`` builds SGD-momentum, Adam, NAdam, AMSGrad, NAMSG or NAMSG-OBSB with
the paper's fixed betas, so a grid search varies only the step size (the paper's protocol for NAMSG;
pitfall 7: report the number of configurations each method got).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from paperlab.namsg.optim import NAMSG
from paperlab.namsg.schedules import ObservationBoost

METHODS = ("SGD-momentum", "Adam", "NAdam", "AMSGrad", "NAMSG", "NAMSG-OBSB")


def make_optimizer(
    name: str, params, lr: float, mu: float = 0.1, beta1: float = 0.999, eps: float = 1e-8
) -> torch.optim.Optimizer:
    """One of :data:`METHODS`. NAMSG uses ``betas=(beta1, 0.99)`` and ``mu``; NAMSG-OBSB starts at
    ``mu/2`` (0.05, the paper's mu0) and is boosted by an :class:`ObservationBoost`. Adam, NAdam and
    AMSGrad use torch defaults (bias-corrected, betas 0.9/0.999); SGD uses momentum 0.9."""
    if name == "SGD-momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr, foreach=True)
    if name == "NAdam":
        return torch.optim.NAdam(params, lr=lr, foreach=True)
    if name == "AMSGrad":
        return torch.optim.Adam(params, lr=lr, amsgrad=True, foreach=True)
    if name == "NAMSG":
        return NAMSG(params, lr=lr, betas=(beta1, 0.99), mu=mu, eps=eps)
    if name == "NAMSG-OBSB":
        return NAMSG(params, lr=lr, betas=(beta1, 0.99), mu=mu / 2, eps=eps)
    raise ValueError(f"name must be one of {', '.join(METHODS)}, got {name!r}")


def make_model(kind: str, seed: int, n_in: int = 64, n_out: int = 10, hidden: int = 128) -> nn.Module:
    """``"logreg"``: Linear(64, 10) (convex); ``"mlp"``: 64-128-10 with ReLU. torch's default
    initialisation, drawn after ``torch.manual_seed(seed)``, so every optimizer starts from the same point."""
    torch.manual_seed(seed)
    if kind == "logreg":
        return nn.Linear(n_in, n_out)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))
    raise ValueError(f"kind must be 'logreg' or 'mlp', got {kind!r}")


@torch.no_grad()
def _full_loss(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return float(nn.functional.cross_entropy(model(X), y))


def train_classifier(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    data: Sequence[torch.Tensor],
    epochs: int,
    batch_size: int,
    seed: int,
    boost: ObservationBoost | None = None,
) -> dict:
    """Mini-batch training with a seeded shuffle; full-batch train loss recorded at every epoch end.

    Returns ``{"train_loss": [L_0, ..., L_E] (L_0 at initialisation), "test_acc": float,
    "diverged": bool, "boost_epochs": [...]}``. Training stops early (loss ``inf``) if it diverges.
    """
    if epochs < 0 or batch_size < 1:
        raise ValueError(f"epochs must be >= 0 and batch_size >= 1, got {epochs}, {batch_size}")
    Xtr, ytr, Xte, yte = data
    g = torch.Generator().manual_seed(10_000 + seed)
    n = len(Xtr)
    losses = [_full_loss(model, Xtr, ytr)]
    diverged = False
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            nn.functional.cross_entropy(model(Xtr[idx]), ytr[idx]).backward()
            opt.step()
        loss = _full_loss(model, Xtr, ytr)
        if not math.isfinite(loss) or loss > 1e6:
            diverged = True
            losses.extend([math.inf] * (epochs + 1 - len(losses)))
            break
        losses.append(loss)
        if boost is not None:
            boost.on_epoch_end(loss)
    with torch.no_grad():
        acc = float((model(Xte).argmax(1) == yte).float().mean()) if not diverged else math.nan
    return {
        "train_loss": losses,
        "test_acc": acc,
        "diverged": diverged,
        "boost_epochs": list(boost.boost_epochs) if boost is not None else [],
    }


def run(
    method: str,
    kind: str,
    lr: float,
    seed: int,
    data,
    epochs: int,
    batch_size: int,
    mu: float = 0.1,
    beta1: float = 0.999,
    eps: float = 1e-8,
    boost_at: int | None = None,
    boost_lr_ratio: float | None = None,
) -> dict:
    """Train one (method, model kind, lr, seed) configuration from scratch; see :func:`train_classifier`.

    ``NAMSG-OBSB`` starts at ``mu / 2`` and boosts once (mu x 2): at the end of epoch ``boost_at`` when given,
    else when :class:`ObservationBoost`'s rate trigger fires (the convergence rate over 2 epochs halves
    against the first measured window, or the loss plateaus). ``boost_lr_ratio`` multiplies the step size at
    the boost (``None``: the paper's ``theory.obsb_lr_ratio``; 1.0 keeps it).
    """
    n_in = int(data[0].shape[1])
    model = make_model(kind, seed, n_in=n_in)
    opt = make_optimizer(method, model.parameters(), lr, mu=mu, beta1=beta1, eps=eps)
    boost = None
    if method == "NAMSG-OBSB":
        boost = ObservationBoost(opt, k=2, at_epoch=boost_at, lr_ratio=boost_lr_ratio)
    return train_classifier(model, opt, data, epochs, batch_size, seed, boost=boost)


def grid_search(train_fn: Callable[[float, int], dict], lrs: Sequence[float], seeds: Sequence[int]) -> dict:
    """Run ``train_fn(lr, seed)`` on the grid; pick the lr with the lowest mean final train loss.

    Returns ``{"lrs", "final": {lr: mean final loss}, "histories": {lr: [history per seed]},
    "best_lr", "best_on_edge": bool, "configs": len(lrs)}``.
    """
    if not lrs or not seeds:
        raise ValueError("lrs and seeds must be non-empty")
    histories = {lr: [train_fn(lr, s) for s in seeds] for lr in lrs}
    final = {lr: float(np.mean([h["train_loss"][-1] for h in hs])) for lr, hs in histories.items()}
    best = min(lrs, key=lambda lr: (final[lr], lr))
    return {
        "lrs": list(lrs),
        "final": final,
        "histories": histories,
        "best_lr": best,
        "best_on_edge": len(lrs) > 1 and best in (min(lrs), max(lrs)),
        "configs": len(lrs),
    }


def mean_curve(histories: Sequence[dict]) -> np.ndarray:
    """Mean train-loss curve over seeds, shape ``(epochs + 1,)`` (``inf`` if any seed diverged)."""
    return np.mean(np.array([h["train_loss"] for h in histories], dtype=float), axis=0)


def epochs_to_reach(history: Sequence[float], target: float) -> int | None:
    """First epoch ``e`` with ``history[e] <= target`` (``history[0]`` is the initial loss), else ``None``."""
    for e, loss in enumerate(history):
        if loss <= target:
            return e
    return None


def _timing_params(n_params: int, width: int) -> list[torch.Tensor]:
    torch.manual_seed(0)
    ps = [torch.randn(width, width) * 0.01 for _ in range(n_params // (width * width))]
    for p in ps:
        p.grad = torch.randn_like(p) * 1e-3
    return ps


def step_times(n_params: int, reps: int, width: int = 1000) -> tuple[int, dict[str, list[float]]]:
    """Wall time of ``optimizer.step()`` (seconds) for Adam, AMSGrad and NAMSG on ``n_params`` parameters.

    The model is a stack of bias-free ``width x width`` linear layers with fixed random gradients. The
    optimizers are timed with :func:`paperlab.core.estimates.time_interleaved` (one step of each per round,
    the order rotated every round, one untimed warm-up round that allocates the state), so load changes hit
    all alike and per-round ratios are paired. Returns ``(actual parameter count, {name: [seconds per round]})``.
    """
    from paperlab.core.estimates import time_interleaved

    if n_params < width * width or reps < 1:
        raise ValueError(f"n_params must be >= width^2 = {width * width} and reps >= 1")
    opts = {
        "Adam(foreach)": torch.optim.Adam(_timing_params(n_params, width), lr=1e-3, foreach=True),
        "AMSGrad(foreach)": torch.optim.Adam(_timing_params(n_params, width), lr=1e-3, amsgrad=True, foreach=True),
        "NAMSG(foreach)": NAMSG(_timing_params(n_params, width), lr=1e-2, foreach=True),
        "NAMSG(for-loop)": NAMSG(_timing_params(n_params, width), lr=1e-2, foreach=False),
    }
    times = time_interleaved({k: o.step for k, o in opts.items()}, repeats=reps, warmup=2)
    return (n_params // (width * width)) * width * width, times


def quadratic_contraction(beta1: float, mu: float, tau: float, steps: int = 4000, beta2: float = 0.99) -> float:
    """Per-step contraction of the :class:`NAMSG` optimizer itself on ``f = x^2 / 2`` (Theorem 1's setting).

    The preconditioner is frozen by construction: ``eps = 1`` makes ``vhat_0 = 1`` and the iterate is kept at
    norm 1e-3 (so ``v_t <= 1e-6 < vhat``, ``sqrt(vhat) = 1`` and ``tau = lr``). After every step the state
    ``z = (m, x)`` (``exp_avg``, the parameter) is rescaled to that norm, which leaves a linear recurrence
    unchanged; the return value is the geometric-mean growth of ``|z|`` over the second half of the run,
    the spectral radius ``r_g(tau)`` once the slowest mode dominates. float64 throughout.
    """
    if steps < 10:
        raise ValueError(f"steps must be >= 10, got {steps}")
    if not tau > 0:
        raise ValueError(f"tau must be positive, got {tau}")
    x = torch.tensor([1e-3], dtype=torch.float64, requires_grad=True)
    opt = NAMSG([x], lr=tau, betas=(beta1, beta2), mu=mu, eps=1.0, foreach=False)
    half, log_norm, log_half, size = steps // 2, 0.0, 0.0, 1e-3
    for t in range(steps):
        x.grad = x.detach().clone()  # grad of x^2 / 2 (lambda = 1), set directly: no autograd graph needed
        opt.step()
        with torch.no_grad():
            m = opt.state[x]["exp_avg"]
            n = math.hypot(float(m[0]), float(x[0]))
            if n > 0:
                log_norm += math.log(n / size)
                m.mul_(size / n)
                x.mul_(size / n)
        if t + 1 == half:
            log_half = log_norm
    if float(opt.state[x]["max_exp_avg_sq"].max()) != 1.0:
        raise RuntimeError("the preconditioner moved: v exceeded vhat_0 = 1")
    return math.exp((log_norm - log_half) / (steps - half))


def tuned_mu_sweep(
    mus: Sequence[float], lrs: Sequence[float], seeds: Sequence[int], data, epochs: int, batch_size: int,
    kind: str = "mlp", progress=None,
) -> dict:
    """N3: for every ``mu``, search the step size on ``lrs`` (the same grid for every mu) on ``seeds[0]``
    by final training loss, then rerun the best on the other seeds (NAMSG, beta1 = 0.999).

    Returns ``{mu: {"final": {lr: seed-0 final loss}, "best_lr", "best_on_edge", "histories": [per seed]}}``.
    """
    if not mus or not lrs or not seeds:
        raise ValueError("mus, lrs and seeds must be non-empty")
    out = {}
    for mu in (mus if progress is None else progress(list(mus))):
        res = grid_search(lambda lr, s, mu=mu: run("NAMSG", kind, lr, s, data, epochs, batch_size, mu=mu),
                          lrs, seeds[:1])
        best = res["best_lr"]
        rest = [run("NAMSG", kind, best, s, data, epochs, batch_size, mu=mu) for s in seeds[1:]]
        out[mu] = {"final": res["final"], "best_lr": best, "best_on_edge": res["best_on_edge"],
                   "histories": res["histories"][best] + rest}
    return out


def paper_plan(cfg, mcfg, n_digits: int = 1437) -> list[dict]:
    """The optimisation runs a budget's 03 notebook makes, as rows ``{"task", "kind", "n_in", "n_train",
    "runs", "epochs", "steps"}`` (steps = runs x epochs x mini-batches per epoch); ``cfg`` is
    :func:`paperlab.namsg.configs.for_budget`'s config, ``mcfg`` :func:`paperlab.namsg.mnist.for_budget`'s.
    Multiply ``steps`` by a measured step time for the expected compute of the budget."""
    def per_epoch(n: int) -> int:
        return math.ceil(n / cfg.batch_size)

    rows = []
    for kind, grids, epochs in (("logreg", cfg.logreg_lrs, cfg.logreg_epochs), ("mlp", cfg.mlp_lrs, cfg.mlp_epochs)):
        runs = sum(len(lrs) * len(cfg.seeds if m in ("Adam", "NAMSG") else cfg.other_seeds) for m, lrs in grids.items())
        extra = 2 * len(set(cfg.paired_seeds) - set(cfg.seeds)) + 3 * len(cfg.paired_seeds)  # N6 reruns, N5 arms
        if kind == "mlp":
            extra += len(cfg.mu_sweep) * (len(cfg.mu_sweep_lrs) + len(cfg.seeds) - 1)  # N3
        rows.append({"task": "digits", "kind": kind, "n_in": 64, "n_train": n_digits, "runs": runs + extra,
                     "epochs": epochs, "steps": (runs + extra) * epochs * per_epoch(n_digits)})
    for kind, grids, epochs in (("logreg", mcfg.logreg_lrs, mcfg.logreg_epochs), ("mlp", mcfg.mlp_lrs, mcfg.mlp_epochs)):
        runs = sum(len(lrs) + len(cfg.seeds) - 1 for lrs in grids.values())
        rows.append({"task": "MNIST-5k", "kind": kind, "n_in": 784, "n_train": mcfg.train_size, "runs": runs,
                     "epochs": epochs, "steps": runs * epochs * per_epoch(mcfg.train_size)})
    return rows


def one_step_seconds(kind: str, n_in: int, batch_size: int, method: str = "NAMSG", lr: float = 0.1) -> float:
    """Wall time (s) of one full-size optimisation step (forward, backward, ``step``) of ``kind`` on a
    random batch of ``batch_size`` inputs of width ``n_in`` (a build-and-step check of a budget's config)."""
    import time

    model = make_model(kind, 0, n_in=n_in)
    opt = make_optimizer(method, model.parameters(), lr)
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(batch_size, n_in, generator=g), torch.randint(0, 10, (batch_size,), generator=g)
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
    dt = time.perf_counter() - t0
    if not math.isfinite(loss.item()):
        raise RuntimeError(f"{kind}: the loss is not finite after one step")
    return dt


def compare(
    kind: str,
    grids: dict,
    epochs: int,
    seeds: dict,
    data,
    batch_size: int,
    boost_at: int | None = None,
    progress=None,
) -> dict:
    """Grid-search every method of ``grids`` (``{method: lrs}``) on one task.

    ``seeds`` maps method -> seed list. ``progress`` optionally wraps the method loop (e.g. a tqdm bar).
    Returns ``{method: grid_search result}`` (see :func:`grid_search`).
    """
    unknown = set(grids) - set(METHODS)
    if unknown:
        raise ValueError(f"grids has unknown methods: {sorted(unknown)}")
    names = list(grids) if progress is None else progress(list(grids))
    out = {}
    for m in names:
        out[m] = grid_search(
            lambda lr, s, m=m: run(m, kind, lr, s, data, epochs, batch_size, boost_at=boost_at),
            grids[m],
            seeds[m],
        )
    return out
