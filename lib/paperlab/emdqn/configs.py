"""Every size, step count and seed list of the EMDQN notebooks, per budget (``for_budget``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paperlab.core.budget import select
from paperlab.rl.dqn import DQNConfig
from paperlab.rl.loop import LoopConfig
from paperlab.rl.schedules import linear

GRID_ID = "paperlab/SparseGoalGrid-v0"
GRID_OPTIMAL = 0.86  # 1 - 14 * 0.01: 14-step shortest path, step cost charged on the goal step too
FROZENLAKE_ID = "FrozenLake-v1"
EVAL_EPS = 0.05  # DQN's evaluation epsilon (Mnih et al. 2015), used by every checkpoint


@dataclass(frozen=True)
class EMDQNConfig:
    """One budget's settings.

    ``loop`` is the main protocol (E4); ``fast_loop`` the same with epsilon annealed over 1k steps (E5).
    Every checkpoint runs ``loop.eval_episodes`` episodes at ``loop.eval_eps`` (DQN's evaluation protocol).
    ``live_seeds`` run inside 03 at this budget; ``seeds`` are the seeds of the committed experiments
    (``min_seeds``: fewer seeds make a seed comparison ``inconclusive (underpowered)``), run ``workers`` at a time.
    ``truncation`` is how EMDQN writes time-limit cuts (see :class:`~paperlab.emdqn.agent.EMDQNAgent`).
    ``gate_frac``: DQN's final return must reach this fraction of the evaluation-protocol optimum before a
    comparison with it is scored.
    """

    budget: str
    loop: LoopConfig
    fast_loop: LoopConfig
    dqn: DQNConfig = DQNConfig(gamma=0.99, lr=1e-3)
    hidden: tuple[int, ...] = (64, 64)
    lam: float = 0.1
    d: int = 4
    lookup: str = "exact"
    capacity: int | None = None
    truncation: str = "skip"
    threshold_frac: float = 0.9
    gate_frac: float = 0.9
    min_seeds: int = 10
    workers: int = 2
    patience: int = 3
    live_seeds: tuple[int, ...] = (0,)
    seeds: tuple[int, ...] = tuple(range(10))
    slippery_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)  # 04's exploratory E8 run (no verdict rests on it)
    lam_sweep: tuple[float, ...] = (0.0, 0.1, 1.0)
    d_sweep: tuple[int, ...] = (2, 4, 16)
    frozenlake_steps: int = 12_000
    explore_steps: int = 3_000
    knn_radii: tuple[float, ...] = (0.01, 0.05, 0.2)
    knn_ks: tuple[int, ...] = (1, 5)
    # entries per action; the grid has only 64 states, so official-scale caps (1k+) never bind
    capacities: tuple[int | None, ...] = (16, 256, None)
    eval_episodes_stochastic: int = 30  # slippery FrozenLake: success is a coin flip per episode
    memory_episodes: int = 500  # random-policy episodes on the grid for the memory-only studies (E9, E11)
    cartpole_episodes: int = 200  # random CartPole episodes (E10, E11)
    optimism_episodes: int = 3_000  # random FrozenLake episodes (E8)
    jl_n: int = 2_000
    chain_lengths: tuple[int, ...] = (5, 20)
    extra: dict = field(default_factory=dict)

    # MinAtar step toward paper scale (E12): one game, DQN vs EMDQN
    minatar_game: str = "paperlab/MinAtar-Breakout-v1"
    minatar_steps: int = 1_000_000
    minatar_seeds: tuple[int, ...] = tuple(range(10))
    minatar_rate_steps: int = 600  # agent steps per timed repeat of the step-rate measurement
    speedup_steps: int = 1_500  # steps per run in the seeds-in-parallel timing (2 seeds serial vs parallel)


def _loop(total: int, anneal: int, learning_starts: int, eval_every: int, eval_episodes: int = 10) -> LoopConfig:
    return LoopConfig(
        total_steps=total,
        learning_starts=learning_starts,
        train_every=1,
        target_every=200,
        eval_every=eval_every,
        eval_episodes=eval_episodes,
        eps_schedule=linear(1.0, 0.05, anneal),
        batch_size=64,
        buffer_size=20_000,
        eval_eps=EVAL_EPS,
    )


def for_budget(budget: str) -> EMDQNConfig:
    """The :class:`EMDQNConfig` of ``budget`` (smoke, lab or paper)."""
    smoke = EMDQNConfig(
        budget="smoke",
        loop=_loop(400, 150, 100, 100, eval_episodes=3),
        fast_loop=_loop(400, 50, 100, 100, eval_episodes=3),
        live_seeds=(0,),
        seeds=(0,),
        slippery_seeds=(0,),
        minatar_steps=200,
        minatar_seeds=(0,),
        minatar_rate_steps=100,
        speedup_steps=100,
        frozenlake_steps=300,
        explore_steps=300,
        memory_episodes=60,
        cartpole_episodes=40,
        optimism_episodes=500,
        eval_episodes_stochastic=10,
    )
    lab = EMDQNConfig(
        budget="lab",
        loop=_loop(12_000, 4_000, 500, 500),
        fast_loop=_loop(12_000, 1_000, 500, 500),
        live_seeds=(0,),
    )
    paper = replace(
        lab,
        budget="paper",
        live_seeds=(0, 1, 2),
        frozenlake_steps=30_000,
        explore_steps=12_000,
    )
    return select({"smoke": smoke, "lab": lab, "paper": paper}, budget)
