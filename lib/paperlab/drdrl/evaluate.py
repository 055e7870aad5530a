r"""Scoring a learned decomposition against the exact per-channel values :math:`Q^\pi_i` of a tabular model."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from paperlab.drdrl.envs import reachable
from paperlab.drdrl.model import DRDRLNet
from paperlab.rl.tabular import TabularModel, policy_evaluation


@dataclass(frozen=True)
class Score:
    """``score``: best-permutation mean correlation; ``half_half``: total Q against each channel; ``perm[c]`` = learned channel for true channel c."""

    score: float
    half_half: float
    perm: tuple[int, ...]
    per_channel: tuple[float, ...]

    @property
    def gain(self) -> float:
        return self.score - self.half_half


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; 0 when either vector is constant."""
    sx, sy = x.std(), y.std()
    if sx < 1e-12 or sy < 1e-12:
        return 0.0
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def decomposition_score(sub_q: np.ndarray, true_q: np.ndarray) -> Score:
    r"""Max over injective channel assignments of the mean Pearson correlation, and the half-half baseline.

    ``sub_q [n, N]`` learned :math:`E[Z_i]` and ``true_q [n, C]`` true :math:`Q^\pi_c` over the same n (s,a) pairs,
    N >= C. Invariant to permuting and shifting the learned channels. Half-half:
    :math:`\frac1C\sum_c \rho(\sum_i E[Z_i], Q^\pi_c)`.
    """
    sub_q, true_q = np.asarray(sub_q, float), np.asarray(true_q, float)
    if sub_q.ndim != 2 or true_q.ndim != 2 or sub_q.shape[0] != true_q.shape[0]:
        raise ValueError(
            f"sub_q and true_q must be [n, N] and [n, C] with equal n, got {sub_q.shape}, {true_q.shape}"
        )
    N, C = sub_q.shape[1], true_q.shape[1]
    if N < C:
        raise ValueError(f"sub_q needs at least as many channels as true_q, got N={N} < C={C}")
    corr = np.array([[_corr(sub_q[:, i], true_q[:, c]) for c in range(C)] for i in range(N)])  # [N, C]
    best = max(
        itertools.permutations(range(N), C),
        key=lambda p: (corr[list(p), range(C)].mean(), tuple(-x for x in p)),
    )
    per = tuple(float(corr[i, c]) for c, i in enumerate(best))
    total = sub_q.sum(1)
    half = float(np.mean([_corr(total, true_q[:, c]) for c in range(C)]))
    return Score(float(np.mean(per)), half, tuple(int(i) for i in best), per)


@torch.no_grad()
def learned_tables(net: DRDRLNet, model: TabularModel, sub_support: torch.Tensor, full_support: torch.Tensor):
    """For every model state: ``sub_q [S, A, N]`` and ``q [S, A]``."""
    obs = torch.as_tensor(np.stack([model.state_to_obs(s) for s in range(model.P.shape[0])]))
    sub_q = net.sub_q_values(obs, sub_support).permute(0, 2, 1).numpy()
    return sub_q, net.q_values(obs, full_support).numpy()


def score_net(net: DRDRLNet, model: TabularModel, sub_support, full_support, gamma: float) -> Score:
    r"""Score against :math:`Q^\pi_c` of the net's *current* greedy policy, over reachable non-terminal (s,a)."""
    sub_q, q = learned_tables(net, model, sub_support, full_support)
    true_q = policy_evaluation(model.P, model.R, model.terminal, q.argmax(1), gamma)  # [S, A, C]
    live = reachable(model) & ~model.terminal
    return decomposition_score(
        sub_q[live].reshape(-1, sub_q.shape[2]), true_q[live].reshape(-1, true_q.shape[2])
    )


def subreward_trace(sub_q_taken: np.ndarray, gamma: float, terminated: bool) -> np.ndarray:
    r"""Read-out :math:`\hat r_i(t) = E[Z_i(s_t,a_t)] - \gamma E[Z_i(s_{t+1},a_{t+1})]` from ``sub_q_taken [T+1, N]``.

    Row T is the value after the last step (ignored when ``terminated``: the return after a terminal is 0).
    Returns ``[T, N]``.
    """
    v = np.asarray(sub_q_taken, float).copy()
    if v.ndim != 2 or v.shape[0] < 2:
        raise ValueError(f"sub_q_taken must be [T+1, N] with T >= 1, got {v.shape}")
    if terminated:
        v[-1] = 0.0
    return v[:-1] - gamma * v[1:]


@torch.no_grad()
def trace_correlation(agent, env, episodes: int, seed: int) -> tuple[float, float, list[dict]]:
    r"""Greedy episodes of ``agent.policy_net``: correlate the read-out :math:`\hat r_i` with the true
    ``info["reward_channels"]``.

    Returns ``(score, half_half, traces)``: the best-permutation mean correlation over all steps, the same for the
    half-half read-out :math:`\hat r / N` of the total, and per episode ``{"readout": [T, N], "true": [T, C]}``.
    """
    traces, obs_seed = [], seed
    gamma = agent.cfg.gamma
    for ep in range(episodes):
        obs, _ = env.reset(seed=obs_seed if ep == 0 else None)
        vals, true, done, term = [], [], False, False
        while not done:
            a = agent.greedy(obs)
            vals.append(
                agent.policy_net.sub_q_values(torch.as_tensor(obs)[None], agent.sub_support)[0, :, a].numpy()
            )
            obs, _, term, trunc, info = env.step(a)
            true.append(info["reward_channels"])
            done = term or trunc
        a = agent.greedy(obs)
        vals.append(
            agent.policy_net.sub_q_values(torch.as_tensor(obs)[None], agent.sub_support)[0, :, a].numpy()
        )
        traces.append(
            {"readout": subreward_trace(np.array(vals), gamma, term), "true": np.array(true, float)}
        )
    readout = np.concatenate([t["readout"] for t in traces])
    true = np.concatenate([t["true"] for t in traces])
    s = decomposition_score(readout, true)
    n = readout.shape[1]
    half = decomposition_score(np.repeat(readout.sum(1, keepdims=True) / n, true.shape[1], axis=1), true)
    return s.score, half.score, traces
