"""Logic behind the notebooks' demos and widgets (each function is unit-tested).

- :func:`chain_propagation`: max-return memory vs one-step Q-learning on a chain (E1).
- :func:`jl_ratios`: the Johnson-Lindenstrauss distortion of the random projection (E2).
- :func:`random_episodes` / :func:`memory_snapshots`: fill a memory from episodes and watch it (widget).
- :func:`revisit_rate`: cross-episode hit rate of a memory setting (E9-E11).
- :func:`optimism_gap`: ``H - Q*`` on FrozenLake, deterministic vs slippery (E8).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from paperlab.emdqn.memory import EpisodicMemory, RandomProjection
from paperlab.rl.replay import EpisodeRecorder, Trajectory


def chain_propagation(L: int, gamma: float, episodes: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Values of states ``0..L-1`` of a deterministic chain after each of ``episodes`` walks to the end.

    Each episode steps right from state 0 to state L-1; the last step pays 1. The max-return memory
    (``mc``) writes :math:`\gamma^{L-1-t}` everywhere after one episode; tabular Q-learning with
    :math:`\alpha = 1`, updating in the order the transitions occur (``td``), moves the reward back one
    state per episode. Returns ``(mc, td)``, each ``[episodes, L]``.
    """
    if L < 1 or episodes < 1:
        raise ValueError(f"L and episodes must be positive, got L={L}, episodes={episodes}")
    if not 0 < gamma <= 1:
        raise ValueError(f"gamma must be in (0, 1], got {gamma}")
    rewards = np.zeros(L)
    rewards[-1] = 1.0
    mc_row = np.array([gamma ** (L - 1 - t) for t in range(L)])
    mc, td = np.zeros((episodes, L)), np.zeros((episodes, L))
    q = np.zeros(L + 1)  # q[L] is the terminal state's value, 0
    for k in range(episodes):
        for t in range(L):  # forward order, as the transitions happen
            q[t] = rewards[t] + (gamma * q[t + 1] if t + 1 < L else 0.0)
        td[k] = q[:L]
        mc[k] = mc_row
    return mc, td


def jl_ratios(d: int, n: int, dim: int, seed: int = 0) -> np.ndarray:
    r"""``||M x||^2 / ||x||^2`` for ``n`` Gaussian vectors ``x`` in ``R^dim`` and ``M`` as in the memory.

    For any fixed ``x`` the ratio is :math:`\chi^2_d / d`: mean 1, variance :math:`2/d`.
    Each vector gets its own projection draw so the ``n`` ratios are independent.
    """
    if n < 1 or dim < 1:
        raise ValueError(f"n and dim must be positive, got n={n}, dim={dim}")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim))
    out = np.empty(n)
    for i in range(n):
        proj = RandomProjection(dim, d, seed=int(rng.integers(2**31)))
        out[i] = np.sum(proj(x[i]) ** 2) / np.sum(x[i] ** 2)
    return out


def random_episodes(
    env, episodes: int, seed: int, policy: Callable[[np.ndarray], int] | None = None
) -> list[Trajectory]:
    """``episodes`` episodes of ``policy`` (default: uniform random from ``env.action_space``) on ``env``."""
    env.action_space.seed(seed)
    out = []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed if ep == 0 else None)
        rec, done = EpisodeRecorder(), False
        while not done:
            a = env.action_space.sample() if policy is None else policy(obs)
            nxt, r, term, trunc, _ = env.step(a)
            rec.append(obs, a, r)
            obs, done = nxt, term or trunc
        out.append(rec.finish(obs, term, trunc))
    return out


def memory_snapshots(
    memory: EpisodicMemory, trajs: list[Trajectory], n_states: int, gamma: float
) -> list[np.ndarray]:
    """Write ``trajs`` one by one; after each, ``max_a H(s, a)`` for one-hot states ``0..n_states-1`` (NaN = empty)."""
    eye = np.eye(n_states, dtype=np.float32)
    keys = memory.keys(eye)
    snaps = []
    for traj in trajs:
        memory.write_episode(traj.obs, traj.actions, traj.rewards, gamma)
        grid = np.full(n_states, np.nan)
        for s in range(n_states):
            vals = [t[keys[s].tobytes()][0] for t in memory.tables if keys[s].tobytes() in t]
            if vals:
                grid[s] = max(vals)
        snaps.append(grid)
    return snaps


def revisit_rate(memory: EpisodicMemory, trajs: list[Trajectory], gamma: float) -> float:
    """Fraction of an episode's (s, a) pairs already in memory *before* that episode is written, over all episodes.

    This is the cross-episode hit rate: how often the memory can aggregate returns of different episodes.
    (The hit rate logged during training, on replayed transitions, is near 1 for any exact memory, because a
    replayed observation is bitwise the one that was written; on continuous states each such entry then
    holds a single episode's return.)
    """
    memory.reset_counters()
    for traj in trajs:
        memory.lookup(traj.obs, traj.actions)
        memory.write_episode(traj.obs, traj.actions, traj.rewards, gamma)
    return memory.hit_rate


def optimism_gap(
    memory: EpisodicMemory, trajs: list[Trajectory], q_star: np.ndarray, gamma: float
) -> np.ndarray:
    """Write ``trajs`` (one-hot observations) and return ``H(s, a) - Q*(s, a)`` for every stored (s, a).

    In a deterministic env every recorded return is achievable, so ``H <= Q*``; under stochastic
    transitions a lucky return can exceed the expected optimum: the max is optimistically biased.
    """
    for traj in trajs:
        memory.write_episode(traj.obs, traj.actions, traj.rewards, gamma)
    n_states = q_star.shape[0]
    keys = memory.keys(np.eye(n_states, dtype=np.float32))
    gaps = []
    for s in range(n_states):
        for a, table in enumerate(memory.tables):
            entry = table.get(keys[s].tobytes())
            if entry is not None:
                gaps.append(entry[0] - q_star[s, a])
    return np.asarray(gaps)


def grid_shortest_path_policy(size: int = 8) -> Callable[[np.ndarray], int]:
    """Optimal policy of the default SparseGoalGrid (start top-right, goal bottom-left): down, then left."""

    def policy(obs: np.ndarray) -> int:
        row = int(np.argmax(obs)) // size
        return 2 if row < size - 1 else 3

    return policy
