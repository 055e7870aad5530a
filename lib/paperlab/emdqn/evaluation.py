"""Scoring EMDQN runs: the optimum under the evaluation protocol, thresholds, steps-to-threshold per seed
with misses counted, and the paired per-seed ratio that the C1 rows rest on."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from paperlab.core.estimates import Estimate, paired_comparison
from paperlab.rl.loop import History
from paperlab.rl.runner import censored_steps, threshold_steps


def protocol_optimum(env_id: str, eps: float, env_kwargs: dict | None = None, seed: int = 0) -> tuple[float, float]:
    """``(greedy optimum, epsilon-greedy optimum)``: the best expected undiscounted return from the start state
    within the env's time limit, for a greedy policy and for the best policy that acts at random with
    probability ``eps`` (the evaluation protocol). Exact, by backward induction on the env's tabular model."""
    from paperlab.rl import make_env, tabular

    env = make_env(env_id, seed, **(env_kwargs or {}))
    base = env.unwrapped
    model = base.tabular_model() if hasattr(base, "tabular_model") else tabular.from_frozenlake(env)
    horizon = int(env.spec.max_episode_steps)
    out = []
    for e in (0.0, eps):
        v = tabular.finite_horizon_values(model.P, model.R, model.terminal, horizon, eps=e)
        out.append(float(model.start_dist @ v))
    return out[0], out[1]


def censor_of(histories: Sequence[History]) -> int:
    """The value a miss counts as: one evaluation period after the run's last checkpoint."""
    s = histories[0].eval_steps
    return int(s[-1] + (s[1] - s[0] if len(s) > 1 else s[0]))


def seed_steps(histories: Sequence[History], threshold: float, patience: int) -> tuple[list[int | None], np.ndarray]:
    """Per seed: steps-to-threshold (``None`` = miss) and the same with misses counted as :func:`censor_of`."""
    steps = threshold_steps(histories, threshold, patience)
    return steps, censored_steps(steps, censor_of(histories))


def ratio_estimate(a: Sequence[float], b: Sequence[float], *, min_n: int, level: float = 0.9) -> Estimate:
    """Paired per-seed ratio ``a / b`` (e.g. EMDQN's over DQN's steps, same seeds): median ratio with the exact
    sign-test interval (the sign test on log-ratios; order statistics commute with ``exp``). ``values`` are the
    per-seed ratios; ``p_value`` tests a median ratio of 1."""
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    if xa.shape != xb.shape or xa.ndim != 1:
        raise ValueError(f"a and b must be paired 1-D sequences, got shapes {xa.shape} and {xb.shape}")
    if np.any(xa <= 0) or np.any(xb <= 0):
        raise ValueError("a and b must be positive (steps, with misses censored)")
    est = paired_comparison(np.log(xa), np.log(xb), method="sign", level=level, min_n=min_n)
    return Estimate(
        float(np.median(xa / xb)),
        math.exp(est.low) if math.isfinite(est.low) else 0.0,
        math.exp(est.high),
        est.n,
        f"median of per-seed ratios, exact sign-test interval, n={est.n}; a miss counts as one evaluation after the run",
        level,
        "median ratio",
        min_n,
        tuple(float(v) for v in xa / xb),
        est.p_value,
    )
