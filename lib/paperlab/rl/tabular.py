"""Exact dynamic programming on small MDPs: ground truth for learned values.

A model has ``P[s, a, s']`` transition probabilities, ``R[s, a, c]`` expected rewards per channel
``c`` and a ``terminal[s]`` mask (no reward and no transition out of a terminal state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class TabularModel:
    P: np.ndarray  # [S, A, S']
    R: np.ndarray  # [S, A, C]
    terminal: np.ndarray  # [S] bool
    start_dist: np.ndarray  # [S]
    obs_to_state: Callable[[np.ndarray], int]
    state_to_obs: Callable[[int], np.ndarray]


def _check(P: np.ndarray, R: np.ndarray, terminal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    P, R, terminal = np.asarray(P, float), np.asarray(R, float), np.asarray(terminal, bool)
    if P.ndim != 3 or P.shape[0] != P.shape[2]:
        raise ValueError(f"P must be [S, A, S], got shape {P.shape}")
    if not np.allclose(P.sum(axis=2), 1.0):
        raise ValueError("P must be row-stochastic: P[s, a, :] sums to 1")
    if R.ndim == 2:
        R = R[..., None]
    if R.shape[:2] != P.shape[:2]:
        raise ValueError(f"R must be [S, A] or [S, A, C] matching P, got shape {R.shape}")
    if terminal.shape != (P.shape[0],):
        raise ValueError(f"terminal must be [S], got shape {terminal.shape}")
    return P, R, terminal


def value_iteration(P, R, terminal, gamma: float, tol: float = 1e-10, max_iter: int = 100_000):
    r"""Optimal :math:`Q^*(s,a) = R(s,a) + \gamma \sum_{s'} P(s'|s,a) \max_{a'} Q^*(s',a')` (total reward over channels).

    Returns ``(Q [S, A], greedy policy [S])``.
    """
    if not 0 <= gamma < 1:
        raise ValueError(f"gamma must be in [0, 1), got {gamma}")
    P, R, terminal = _check(P, R, terminal)
    r = R.sum(axis=2)
    q = np.zeros(r.shape)
    for _ in range(max_iter):
        v = np.where(terminal, 0.0, q.max(axis=1))
        new = r + gamma * P @ v
        new[terminal] = 0.0
        if np.max(np.abs(new - q)) < tol:
            q = new
            break
        q = new
    return q, q.argmax(axis=1)


def policy_evaluation(P, R, terminal, policy: np.ndarray, gamma: float) -> np.ndarray:
    r"""Exact :math:`Q^\pi_c` per channel by one linear solve: :math:`(I - \gamma P_\pi) V_c = r_{\pi,c}`.

    ``policy`` is ``[S, A]`` action probabilities (or ``[S]`` deterministic actions). Returns ``[S, A, C]``.
    """
    if not 0 <= gamma < 1:
        raise ValueError(f"gamma must be in [0, 1), got {gamma}")
    P, R, terminal = _check(P, R, terminal)
    S, A = P.shape[:2]
    pi = np.asarray(policy)
    if pi.ndim == 1:
        pi = np.eye(A)[pi]
    if pi.shape != (S, A):
        raise ValueError(f"policy must be [S, A] or [S], got shape {np.asarray(policy).shape}")
    live = (~terminal).astype(float)
    p_pi = np.einsum("sa,sat->st", pi, P) * live[:, None]
    r_pi = np.einsum("sa,sac->sc", pi, R) * live[:, None]
    v = np.linalg.solve(np.eye(S) - gamma * p_pi, r_pi)  # [S, C]
    q = R + gamma * np.einsum("sat,tc->sac", P, v)
    q[terminal] = 0.0
    return q


def finite_horizon_values(P, R, terminal, horizon: int, eps: float = 0.0) -> np.ndarray:
    r"""Optimal undiscounted value of each state with ``horizon`` steps left: ``V_H [S]`` (backward induction).

    With ``eps > 0`` the optimum is over epsilon-greedy policies (each step takes a uniform random action with
    probability ``eps``): :math:`V_h = (1-\epsilon) \max_a Q_h + \epsilon\, \mathrm{mean}_a Q_h`, the best
    expected return an agent can show under an epsilon-greedy evaluation protocol.
    """
    P, R, terminal = _check(P, R, terminal)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must be in [0, 1], got {eps}")
    r = R.sum(axis=2)
    v = np.zeros(P.shape[0])
    for _ in range(horizon):
        q = r + P @ v
        v = np.where(terminal, 0.0, (1.0 - eps) * q.max(axis=1) + eps * q.mean(axis=1))
    return v


def finite_horizon_policy_values(P, R, terminal, policy: np.ndarray, horizon: int) -> np.ndarray:
    """Undiscounted expected return of ``policy`` from each state with ``horizon`` steps left: ``V [S]``.

    ``policy`` is ``[S, A]`` action probabilities (or ``[S]`` deterministic actions). This is the value of a
    time-limited episode (a TimeLimit of ``horizon`` steps), e.g. the expected evaluation return.
    """
    P, R, terminal = _check(P, R, terminal)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 0:
        raise ValueError(f"horizon must be a non-negative int, got {horizon!r}")
    S, A = P.shape[:2]
    pi = np.asarray(policy, dtype=float)
    if pi.ndim == 1:
        pi = np.eye(A)[np.asarray(policy, dtype=int)]
    if pi.shape != (S, A) or not np.allclose(pi.sum(axis=1), 1.0):
        raise ValueError(f"policy must be [S, A] probabilities or [S] actions, got shape {np.asarray(policy).shape}")
    r = R.sum(axis=2)
    v = np.zeros(S)
    for _ in range(int(horizon)):
        v = np.where(terminal, 0.0, ((r + P @ v) * pi).sum(axis=1))
    return v


def epsilon_greedy(q: np.ndarray, eps: float) -> np.ndarray:
    """``[S, A]`` probabilities of epsilon-greedy on ``q [S, A]`` (ties to the lowest index, like ``argmax``)."""
    q = np.asarray(q, dtype=float)
    if q.ndim != 2:
        raise ValueError(f"q must be [S, A], got shape {q.shape}")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must be in [0, 1], got {eps}")
    S, A = q.shape
    pi = np.full((S, A), eps / A)
    pi[np.arange(S), q.argmax(axis=1)] += 1.0 - eps
    return pi


def from_frozenlake(env) -> TabularModel:
    """The exact model of a gymnasium FrozenLake env, read from its own transition table ``env.unwrapped.P``.

    States are FrozenLake's integer cells; observations are the one-hot vectors of :class:`OneHotObs`.
    """
    base = env.unwrapped
    if not hasattr(base, "P") or not hasattr(base, "desc"):
        raise TypeError("env must be a gymnasium FrozenLake env (it needs .P and .desc)")
    S, A = base.observation_space.n, base.action_space.n
    desc = np.asarray(base.desc).reshape(-1)
    terminal = np.isin(desc, [b"H", b"G"])
    P, R = np.zeros((S, A, S)), np.zeros((S, A, 1))
    for s in range(S):
        for a in range(A):
            for prob, s2, rew, _ in base.P[s][a]:
                P[s, a, s2] += prob
                R[s, a, 0] += prob * rew
    start = (desc == b"S").astype(float)
    eye = np.eye(S, dtype=np.float32)
    return TabularModel(
        P, R, terminal, start / start.sum(), lambda o: int(np.argmax(o)), lambda s: eye[s].copy()
    )
