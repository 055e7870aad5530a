r"""How precisely a learner must know Q before its greedy policy passes the E0 gate: action gaps and noisy-Q returns.

On a tabular model the optimal :math:`Q^*` is exact, so we can ask what a learner with value errors of a given size
would score: perturb :math:`Q^*` with independent :math:`N(0, \sigma^2)` noise, act epsilon-greedily on it and compute
the exact expected return. Where that return falls below the gate at the learner's error level, more steps of the
same learner will not pass it: its values must become more precise than the task's action gaps.
"""

from __future__ import annotations

import numpy as np

from paperlab.rl.tabular import TabularModel, epsilon_greedy, finite_horizon_policy_values

DRAWS = 50  # noise draws per sigma in 03 (about 1 ms each on the CoinsGems model: the same at every budget)


def action_gaps(q: np.ndarray, states: np.ndarray | None = None) -> np.ndarray:
    """Per state: the best value minus the best value of a strictly worse action (ties with the best are skipped).

    ``q [S, A]``; ``states``: a bool mask ``[S]`` or indices (default all). Returns ``[n_states]``, NaN where every
    action ties. Units: those of ``q``.
    """
    q = np.asarray(q, dtype=float)
    if q.ndim != 2 or q.shape[1] < 2:
        raise ValueError(f"q must be [S, A] with A >= 2, got shape {q.shape}")
    rows = q if states is None else q[np.asarray(states)]
    best = rows.max(axis=1, keepdims=True)
    worse = np.where(rows < best - 1e-12, rows, -np.inf).max(axis=1)
    return np.where(np.isfinite(worse), best[:, 0] - worse, np.nan)


def noisy_greedy_returns(
    model: TabularModel, q: np.ndarray, sigma: float, draws: int, eps: float, horizon: int, seed: int = 0
) -> np.ndarray:
    """Exact expected return (start distribution, ``horizon`` steps, epsilon-greedy at ``eps``) of the policy that is
    greedy on ``q + N(0, sigma^2)``, for ``draws`` independent noise draws: ``[draws]`` (units of reward)."""
    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a positive int, got {draws!r}")
    q = np.asarray(q, dtype=float)
    if q.shape != model.P.shape[:2]:
        raise ValueError(f"q must be [S, A] = {model.P.shape[:2]}, got {q.shape}")
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    for k in range(draws):
        pi = epsilon_greedy(q + rng.normal(0.0, sigma, q.shape), eps)
        out[k] = finite_horizon_policy_values(model.P, model.R, model.terminal, pi, horizon) @ model.start_dist
    return out

