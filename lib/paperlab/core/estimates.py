"""Measured distributions for the scorecard: per-seed comparisons and repeated timings.

A verdict that rests on several seeds or several timing repeats stores every value and the interval
method, so a reader (and a test) can recompute it. ``VERDICTS.md`` section 4 sets the rules:

* seed comparisons are paired and state ``n`` and the method (a t-interval on the mean difference, or
  the exact distribution-free interval for the median that inverts the sign test); below the row's
  ``min_n`` the verdict is at most ``inconclusive (underpowered)``;
* timings interleave the contenders, repeat at least 7 times, and report the median with a 90 %
  interval of the per-round values.

    est = paired_comparison(ours, baseline, min_n=8)      # ours - baseline, per seed
    times = time_interleaved({"base": f, "new": g}, repeats=9)
    s = speedup(times["base"], times["new"])              # base / new, per round
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

MIN_TIMING_REPEATS = 7
MIN_SEEDS = 8


@dataclass(frozen=True)
class Estimate:
    """A central value with an interval and the sample behind it.

    ``center`` is the mean or the median (``center_name``), ``[low, high]`` the ``level`` interval
    computed by ``method`` from ``values`` (``n`` of them). ``min_n`` is the smallest sample at which the
    row may carry a verdict other than ``inconclusive (underpowered)``.
    """

    center: float
    low: float
    high: float
    n: int
    method: str
    level: float = 0.9
    center_name: str = "mean"
    min_n: int = 1
    values: tuple[float, ...] = field(default=())
    p_value: float | None = None

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"low must not exceed high, got [{self.low}, {self.high}]")
        if not 0 < self.level < 1:
            raise ValueError(f"level must lie in (0, 1), got {self.level}")
        if self.n < 1 or self.min_n < 1:
            raise ValueError(f"n and min_n must be positive, got n={self.n}, min_n={self.min_n}")

    @property
    def underpowered(self) -> bool:
        return self.n < self.min_n

    def as_dict(self) -> dict:
        d = asdict(self)
        d["values"] = [float(v) for v in self.values]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Estimate:
        d = dict(d)
        d["values"] = tuple(d.get("values", ()))
        return cls(**d)


def _clean(values: Sequence[float], name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (a miss is a censored value: state it, do not pass inf/nan)")
    return arr


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")


def t_interval(values: Sequence[float], *, level: float = 0.9, min_n: int = MIN_SEEDS) -> Estimate:
    """Mean of ``values`` with a Student-t interval (two-sided, ``level``) and the one-sample t-test p."""
    from scipy import stats

    _check_level(level)
    x = _clean(values, "values")
    n, mean = x.size, float(x.mean())
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, 1, "t-interval (n=1: no interval)", level, "mean", min_n, tuple(x))
    se = float(x.std(ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * se
    p = float(stats.ttest_1samp(x, 0.0).pvalue) if se > 0 else (0.0 if mean != 0 else 1.0)
    return Estimate(mean, mean - half, mean + half, n, f"t-interval on the mean, n={n}", level, "mean", min_n,
                    tuple(x), p)


def sign_interval(values: Sequence[float], *, level: float = 0.9, min_n: int = MIN_SEEDS) -> Estimate:
    """Median of ``values`` with the exact distribution-free interval that inverts the sign test.

    The interval is ``[x_(k), x_(n-k+1)]`` (order statistics) for the largest ``k`` whose coverage
    ``1 - 2 P(Binomial(n, 1/2) <= k-1)`` is at least ``level``; when no ``k`` reaches it (n <= 4 at 90 %)
    the interval is unbounded. ``p_value`` is the exact two-sided sign test of a zero median.
    """
    from scipy import stats

    _check_level(level)
    x = np.sort(_clean(values, "values"))
    n = x.size
    low, high = -math.inf, math.inf
    for k in range(n // 2, 0, -1):
        if 1 - 2 * stats.binom.cdf(k - 1, n, 0.5) >= level:
            low, high = float(x[k - 1]), float(x[n - k])
            break
    pos, neg = int((x > 0).sum()), int((x < 0).sum())
    p = float(stats.binomtest(pos, pos + neg, 0.5).pvalue) if pos + neg else 1.0
    return Estimate(float(np.median(x)), low, high, n, f"exact sign-test interval on the median, n={n}", level,
                    "median", min_n, tuple(float(v) for v in x), p)


def sign_flip_p(values: Sequence[float]) -> float:
    """Exact two-sided permutation p-value of a zero mean (all 2^n sign flips; n <= 20)."""
    x = _clean(values, "values")
    if x.size > 20:
        raise ValueError(f"values: exact sign flips enumerate 2^n cases; n={x.size} > 20")
    observed = abs(x.sum())
    count = sum(abs(np.dot(signs, x)) >= observed - 1e-12 for signs in itertools.product((1, -1), repeat=x.size))
    return count / 2**x.size


def paired_comparison(
    a: Sequence[float],
    b: Sequence[float],
    *,
    method: str = "t",
    level: float = 0.9,
    min_n: int = MIN_SEEDS,
) -> Estimate:
    """Per-seed differences ``a - b`` (same seeds, same order) summarised by ``method``.

    ``method="t"``: mean difference, t-interval, exact sign-flip permutation p (n <= 20).
    ``method="sign"``: median difference, exact sign-test interval and p. Below ``min_n`` pairs the row
    reads ``inconclusive (underpowered)`` whatever the interval says.
    """
    xa, xb = _clean(a, "a"), _clean(b, "b")
    if xa.shape != xb.shape:
        raise ValueError(f"a and b must be paired (same length), got {xa.size} and {xb.size}")
    d = xa - xb
    if method == "t":
        est = t_interval(d, level=level, min_n=min_n)
        if d.size <= 20:
            est = Estimate(**{**est.__dict__, "p_value": sign_flip_p(d),
                              "method": f"paired t-interval on the mean difference, n={d.size}; "
                                        "p from exact sign-flip permutation"})
        return est
    if method == "sign":
        est = sign_interval(d, level=level, min_n=min_n)
        return Estimate(**{**est.__dict__, "method": f"paired exact sign-test interval on the median difference, n={d.size}"})
    raise ValueError(f"method must be 't' or 'sign', got {method!r}")


def repeats_interval(
    values: Sequence[float], *, level: float = 0.9, min_n: int = MIN_TIMING_REPEATS, what: str = "repeats"
) -> Estimate:
    """Median of repeated measurements with the central ``level`` percentile interval of the repeats."""
    _check_level(level)
    x = _clean(values, "values")
    q = 100 * (1 - level) / 2
    low, high = np.percentile(x, [q, 100 - q])
    return Estimate(float(np.median(x)), float(low), float(high), x.size,
                    f"median and {q:g}-{100 - q:g}th percentiles of {x.size} {what}", level,
                    "median", min_n, tuple(float(v) for v in x))


def speedup(
    baseline_s: Sequence[float], candidate_s: Sequence[float], *, level: float = 0.9, min_n: int = MIN_TIMING_REPEATS
) -> Estimate:
    """Per-round speed-up ``baseline / candidate`` of interleaved timings (seconds, paired by round)."""
    b, c = _clean(baseline_s, "baseline_s"), _clean(candidate_s, "candidate_s")
    if b.shape != c.shape:
        raise ValueError(f"baseline_s and candidate_s must be paired by round, got {b.size} and {c.size}")
    if np.any(c <= 0) or np.any(b <= 0):
        raise ValueError("timings must be positive seconds")
    return repeats_interval(b / c, level=level, min_n=min_n, what="interleaved per-round ratios")


def time_interleaved(
    contenders: dict[str, Callable[[], object]],
    *,
    repeats: int = MIN_TIMING_REPEATS,
    warmup: int = 1,
    timer: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Time each contender once per round, ``repeats`` rounds, rotating the order every round.

    Returns every repeat (seconds) per contender. ``warmup`` untimed rounds run first. Interleaving puts
    the contenders under the same machine load, so their per-round ratios are paired.
    """
    if not contenders:
        raise ValueError("contenders must name at least one callable")
    if not all(callable(f) for f in contenders.values()):
        raise TypeError("contenders must map names to zero-argument callables")
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got {repeats}, {warmup}")
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    out: dict[str, list[float]] = {name: [] for name in names}
    for rnd in range(repeats):
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            t0 = timer()
            contenders[name]()
            out[name].append(timer() - t0)
    return out
