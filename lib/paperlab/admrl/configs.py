"""Every size, step count and seed list of the AdMRL notebooks, per budget (``for_budget``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from paperlab.core.budget import select


@dataclass(frozen=True)
class AdMRLConfig:
    """One budget's settings (wind point-mass family unless stated).

    Loop: ``n_tasks`` task iterations, each ``stages`` x ``episodes`` real episodes of ``horizon`` steps;
    ``fit_steps`` Adam steps per stage; L-BFGS ``plan_iters`` (model) and ``oracle_iters`` x ``oracle_starts``
    (true simulator; one L-BFGS iteration costs about two simulator roll-outs, see ``planning.lbfgs_per_task``);
    gap on a ``grid_n`` x ``grid_n`` grid every ``eval_every`` tasks.
    Adversary: IFT + CG (``cg_iters``, ``damping``), or the REINFORCE route (``reinforce_*``: Gaussian noise, GAE
    lambda, real and model trajectories per step, normal-equation damping); ``step_rule="normalised"`` (default) takes the tangent-projected
    step of length ``eta`` (the official ``"projected"`` rule, ``clip(u + alpha g)`` with alpha = 1, parks most tasks
    on a face of the box when gradients have norms of 1-100).
    """

    budget: str
    seeds: tuple[int, ...]
    n_tasks: int
    horizon: int = 40
    n_init: int = 8
    hidden: int = 32
    stages: int = 2
    episodes: int = 8
    fit_steps: int = 150
    batch: int = 256
    noise: float = 0.3
    plan_iters: int = 100
    oracle_iters: int = 200
    oracle_starts: int = 2
    grid_n: int = 5
    eval_every: int = 2
    action_bound: float | None = 3.0
    cg_iters: int = 50
    damping: float = 1e-3
    step_rule: str = "normalised"
    alpha: float = 1.0
    eta: float = 0.5
    fd_eps: float = 0.05
    fd_iters: int = 120
    reinforce_n: tuple[int, ...] = (1000, 4000)
    reinforce_horizon: int = 60  # gamma^60 = 0.002: the exact (infinite-horizon) references apply
    reinforce_sigma: float = 0.3  # the loop's REINFORCE route: Gaussian policy noise
    reinforce_lam: float = 0.95  # GAE lambda (official)
    reinforce_real: int = 512  # real trajectories per adversary step (for g and the two d_psi V terms)
    reinforce_model: int = 2048  # model trajectories per adversary step (for H and J)
    reinforce_damping: float = 0.1  # the official normal-equation damping
    explore_tasks: int = 4
    ood_tasks: int = 4
    lq_mc_episodes: int = 2000


def for_budget(budget: str) -> AdMRLConfig:
    """The settings of ``budget`` (``"smoke"``, ``"lab"`` or ``"paper"``)."""
    return select(
        {
            "smoke": AdMRLConfig(
                "smoke",
                seeds=(0,),
                n_tasks=2,
                horizon=10,
                n_init=4,
                hidden=16,
                stages=1,
                episodes=4,
                fit_steps=20,
                plan_iters=20,
                oracle_iters=40,
                fd_iters=40,
                oracle_starts=1,
                grid_n=3,
                eval_every=1,
                reinforce_n=(300, 1200),
                reinforce_real=64,
                reinforce_model=256,
                explore_tasks=2,
                ood_tasks=1,
                lq_mc_episodes=500,
            ),
            "lab": AdMRLConfig(
                "lab",
                seeds=tuple(range(8)),
                n_tasks=6,
                horizon=30,
                stages=1,
                episodes=16,
                fit_steps=150,
                plan_iters=60,
                oracle_iters=120,
                oracle_starts=1,
                grid_n=4,
                eval_every=3,
            ),
            "paper": AdMRLConfig(
                "paper",
                seeds=tuple(range(10)),
                n_tasks=30,
                horizon=40,
                grid_n=9,
                eval_every=1,
                oracle_starts=4,
                reinforce_n=(1000, 10000, 50000),
                reinforce_horizon=80,
                explore_tasks=12,
                ood_tasks=12,
                lq_mc_episodes=10000,
            ),
        },
        budget,
    )


def with_overrides(cfg: AdMRLConfig, **kw) -> AdMRLConfig:
    """A copy of ``cfg`` with some fields changed (unknown names raise ``TypeError``)."""
    if "step_rule" in kw and kw["step_rule"] not in ("projected", "normalised"):
        raise ValueError(f"step_rule must be 'projected' or 'normalised', got {kw['step_rule']!r}")
    return replace(cfg, **kw)
