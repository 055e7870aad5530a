"""Statistics over seeds: steps-to-threshold, IQM, bootstrap confidence intervals, curve bands."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def steps_to_threshold(
    steps: Sequence[int], values: Sequence[float], threshold: float, patience: int = 3
) -> int | None:
    """The step of the first evaluation that starts ``patience`` consecutive evaluations ``>= threshold``.

    Returns ``None`` when no such run exists (a dip below the threshold restarts the count).
    """
    if len(steps) != len(values):
        raise ValueError(f"steps and values must have the same length, got {len(steps)} and {len(values)}")
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
        raise ValueError(f"patience must be a positive int, got {patience!r}")
    run = 0
    for i, v in enumerate(values):
        run = run + 1 if v >= threshold else 0
        if run == patience:
            return int(steps[i - patience + 1])
    return None


def iqm(x: Sequence[float]) -> float:
    """Interquartile mean: the mean of the middle 50% of the values (scipy's ``trim_mean(x, 0.25)``)."""
    from scipy.stats import trim_mean

    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError("x must not be empty")
    return float(trim_mean(x, 0.25))


def bootstrap_ci(
    values: Sequence[float],
    rng: np.random.Generator,
    n: int = 1000,
    stat: Callable[[np.ndarray], float] = np.median,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat`` over ``values`` (resampled with replacement by ``rng``)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("values must not be empty")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    idx = rng.integers(0, x.size, size=(n, x.size))
    stats = np.array([stat(x[i]) for i in idx])
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def summarize(curves: np.ndarray, rng: np.random.Generator | None = None, n: int = 1000, level: float = 0.95):
    """Mean curve and a band over seeds for ``curves`` of shape ``[n_seeds, n_points]``.

    Without ``rng`` the band is mean ± std; with ``rng`` it is a bootstrap ``level`` interval of the mean.
    Returns ``(mean, low, high)``, each ``[n_points]``.
    """
    c = np.asarray(curves, dtype=float)
    if c.ndim != 2:
        raise ValueError(f"curves must be [n_seeds, n_points], got shape {c.shape}")
    mean = c.mean(axis=0)
    if rng is None:
        sd = c.std(axis=0)
        return mean, mean - sd, mean + sd
    idx = rng.integers(0, c.shape[0], size=(n, c.shape[0]))
    boot = c[idx].mean(axis=1)
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return mean, lo, hi
