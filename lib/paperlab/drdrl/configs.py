"""Every size, step count and seed list of the DRDRL notebooks, per budget (``for_budget``)."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select
from paperlab.drdrl.agent import AgentConfig
from paperlab.rl.loop import LoopConfig
from paperlab.rl.schedules import linear

STOCHASTIC_ID = "paperlab/CoinsGemsStochastic-v0"
DETERMINISTIC_ID = "paperlab/CoinsGems-v0"
THREE_ID = "paperlab/CoinsGems3-v0"


@dataclass(frozen=True)
class DRDRLConfig:
    """One budget's settings. ``seeds``: seeds of the 03 comparison; ``sweep_seeds``: seeds of the 04 ablations."""

    budget: str
    agent: AgentConfig
    loop: LoopConfig
    explore_loop: LoopConfig
    seeds: tuple[int, ...]
    sweep_seeds: tuple[int, ...]
    lam_sweep: tuple[float, ...] = (0.0, 1e-4, 1e-2)
    fit_inits: int = 10
    fit_steps: int = 400
    trace_episodes: int = 20


def _loop(
    total: int, learning_starts: int, eval_every: int, eval_episodes: int, batch: int, train_every: int = 1
) -> LoopConfig:
    return LoopConfig(
        total_steps=total,
        learning_starts=learning_starts,
        train_every=train_every,
        target_every=200,
        eval_every=eval_every,
        eval_episodes=eval_episodes,
        eps_schedule=linear(1.0, 0.05, max(total // 3, 1)),
        batch_size=batch,
        buffer_size=20_000,
    )


def for_budget(budget: str) -> DRDRLConfig:
    """Smoke: mechanics only (300 steps, 1 seed). Lab: short runs, 3 seeds (the brief's criterion needs 30k steps)."""
    return DRDRLConfig(
        budget=budget,
        agent=AgentConfig(n_channels=2, n_atoms_sub=26, vmin=0.0, vmax=5.0, gamma=0.9, lr=1e-3, lam=0.01),
        loop=select(
            {
                "smoke": _loop(300, 100, 150, 2, 32, train_every=2),
                "lab": _loop(3_000, 300, 1_000, 10, 64, train_every=2),
                "paper": _loop(30_000, 500, 1_000, 20, 64),
            },
            budget,
        ),
        explore_loop=select(
            {
                "smoke": _loop(200, 100, 200, 1, 32, train_every=2),
                "lab": _loop(2_000, 300, 1_000, 5, 64, train_every=2),
                "paper": _loop(30_000, 500, 1_000, 20, 64),
            },
            budget,
        ),
        seeds=select({"smoke": (0,), "lab": (0, 1, 2), "paper": (0, 1, 2)}, budget),
        sweep_seeds=select({"smoke": (0,), "lab": (0,), "paper": (0, 1, 2)}, budget),
        fit_inits=select({"smoke": 6, "lab": 10, "paper": 10}, budget),
        fit_steps=select({"smoke": 300, "lab": 400, "paper": 400}, budget),
        trace_episodes=select({"smoke": 2, "lab": 20, "paper": 20}, budget),
    )
