"""Aggregate RL results over runs the way Agarwal et al. (2021, "Deep RL at the edge of the statistical
precipice") recommend, and as their ``rliable`` package computes them: the interquartile mean (IQM), stratified
bootstrap intervals, the probability of improvement and performance profiles.

Scores are arrays ``[n_runs, n_tasks]`` (one column per task, one row per independent run/seed; a 1-D array is
one task). Stratified bootstrap resamples runs with replacement *within each task*, independently per
algorithm, which is what ``rliable.library.get_interval_estimates`` does (percentile intervals).

``rliable`` itself was not added: it pulls ``arch`` (with ``statsmodels`` and ``patsy``), ``seaborn`` and
``absl-py`` into the locked stack for a few lines of numpy; the estimators below are tested against values
computed by hand (``tests/unit/rl/test_aggregate.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import trim_mean

from paperlab.core.estimates import Estimate


def _scores(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers [n_runs, n_tasks]") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be [n_runs, n_tasks] with at least one run, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def iqm(scores) -> float:
    """Interquartile mean of all runs and tasks pooled: the mean of the middle 50 % (``trim_mean(x, 0.25)``)."""
    return float(trim_mean(_scores(scores, "scores").reshape(-1), 0.25))


def mean_score(scores) -> float:
    """Mean over runs and tasks."""
    return float(_scores(scores, "scores").mean())


def median_score(scores) -> float:
    """Median of the per-run means over tasks (rliable's ``aggregate_median``)."""
    return float(np.median(_scores(scores, "scores").mean(axis=1)))


def probability_of_improvement(x, y) -> float:
    r""":math:`P(X > Y) = \frac1M \sum_m \frac{1}{N_x N_y} \sum_{i,j} S(x_{im}, y_{jm})` with
    :math:`S = 1` if :math:`x > y`, :math:`1/2` if equal, 0 otherwise (the Mann-Whitney statistic per task,
    averaged over tasks). ``x [N_x, M]`` and ``y [N_y, M]`` may have different numbers of runs."""
    xs, ys = _scores(x, "x"), _scores(y, "y")
    if xs.shape[1] != ys.shape[1]:
        raise ValueError(f"x and y must cover the same tasks, got {xs.shape[1]} and {ys.shape[1]} columns")
    per_task = []
    for m in range(xs.shape[1]):
        diff = xs[:, m][:, None] - ys[:, m][None, :]
        per_task.append(float(np.mean((diff > 0) + 0.5 * (diff == 0))))
    return float(np.mean(per_task))


def stratified_resample(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One stratified bootstrap sample: within each task column, draw ``n_runs`` runs with replacement."""
    n, m = scores.shape
    idx = rng.integers(0, n, size=(n, m))
    return np.take_along_axis(scores, idx, axis=0)


def stratified_bootstrap(
    samples: Sequence,
    statistic: Callable[..., float],
    rng: np.random.Generator,
    reps: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float, np.ndarray]:
    """``statistic(*samples)`` with a percentile interval from a stratified bootstrap of every sample.

    Each of ``samples`` (``[n_runs, n_tasks]`` arrays, e.g. one per algorithm) is resampled independently,
    within tasks. Returns ``(point, low, high, replicates [reps])``.
    """
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ValueError(f"reps must be a positive int, got {reps!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator")
    arrs = [_scores(s, f"samples[{i}]") for i, s in enumerate(samples)]
    point = float(statistic(*arrs))
    reps_out = np.array([statistic(*(stratified_resample(a, rng) for a in arrs)) for _ in range(reps)], float)
    lo, hi = np.quantile(reps_out, [(1 - level) / 2, (1 + level) / 2])
    return point, float(lo), float(hi), reps_out


def _estimate(point, lo, hi, n, what, level, center_name, min_n, values) -> Estimate:
    return Estimate(
        float(point),
        float(min(lo, point)),
        float(max(hi, point)),
        int(n),
        f"{what}; stratified bootstrap percentile interval, n={n} runs per method",
        level,
        center_name,
        min_n,
        tuple(float(v) for v in np.asarray(values).reshape(-1)),
    )


def iqm_estimate(
    scores, rng: np.random.Generator, *, reps: int = 2000, level: float = 0.95, min_n: int = 10
) -> Estimate:
    """IQM of ``scores`` with its stratified bootstrap interval, as an :class:`Estimate` (``values`` = scores)."""
    s = _scores(scores, "scores")
    point, lo, hi, _ = stratified_bootstrap([s], iqm, rng, reps, level)
    return _estimate(point, lo, hi, s.shape[0], "interquartile mean", level, "IQM", min_n, s)


def improvement_estimate(
    x, y, rng: np.random.Generator, *, reps: int = 2000, level: float = 0.95, min_n: int = 10
) -> Estimate:
    """``P(X > Y)`` with its stratified bootstrap interval (``values`` = x's scores then y's)."""
    xs, ys = _scores(x, "x"), _scores(y, "y")
    point, lo, hi, _ = stratified_bootstrap([xs, ys], probability_of_improvement, rng, reps, level)
    return _estimate(
        point, lo, hi, min(xs.shape[0], ys.shape[0]), "probability of improvement P(X > Y)", level,
        "P(X>Y)", min_n, np.concatenate([xs.reshape(-1), ys.reshape(-1)]),
    )


def performance_profile(scores, taus: Sequence[float]) -> np.ndarray:
    r"""Score distribution :math:`F(\tau) = \frac1M\sum_m \frac1N \sum_n 1[x_{nm} > \tau]` for each ``tau``."""
    s = _scores(scores, "scores")
    t = np.asarray(taus, dtype=float).reshape(-1)
    return np.array([(s > tau).mean(axis=0).mean() for tau in t])


def profile_bands(
    scores, taus: Sequence[float], rng: np.random.Generator, reps: int = 2000, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Performance profile with pointwise stratified bootstrap bands: ``(profile, low, high)``, each ``[len(taus)]``."""
    s = _scores(scores, "scores")
    prof = performance_profile(s, taus)
    boot = np.stack([performance_profile(stratified_resample(s, rng), taus) for _ in range(reps)])
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return prof, lo, hi
