import itertools
import math

import numpy as np
import pytest
from scipy import stats

from paperlab.core import estimates


def test_t_interval_matches_the_textbook_formula():
    x = [0.3, -0.1, 0.5, 0.2, 0.4, 0.1, 0.0, 0.6]
    e = estimates.t_interval(x, level=0.9)
    mean, se = np.mean(x), np.std(x, ddof=1) / math.sqrt(len(x))
    half = stats.t.ppf(0.95, len(x) - 1) * se
    assert e.center == pytest.approx(mean) and e.low == pytest.approx(mean - half) and e.high == pytest.approx(mean + half)
    assert e.n == 8 and not e.underpowered and "n=8" in e.method


def test_sign_interval_uses_order_statistics_with_exact_coverage():
    x = list(range(1, 11))  # n = 10: largest k with 1 - 2 P(B <= k-1) >= 0.9 is k = 3 (coverage 0.891? no: 0.9785)
    e = estimates.sign_interval(x, level=0.9)
    cover = {k: 1 - 2 * sum(math.comb(10, i) for i in range(k)) / 2**10 for k in range(1, 6)}
    k = max(k for k, c in cover.items() if c >= 0.9)
    assert (e.low, e.high) == (x[k - 1], x[10 - k]) and e.center == 5.5
    assert estimates.sign_interval([1.0, 2.0, 3.0]).low == -math.inf  # n=3 cannot reach 90 %
    assert e.p_value == pytest.approx(2 / 2**10)


def test_sign_flip_p_by_brute_force():
    x = [0.5, 1.0, -0.2, 0.7]
    flips = [abs(sum(s * v for s, v in zip(signs, x, strict=True))) for signs in itertools.product((1, -1), repeat=4)]
    assert estimates.sign_flip_p(x) == pytest.approx(np.mean([f >= abs(sum(x)) - 1e-12 for f in flips]))


def test_paired_comparison_is_on_differences_and_flags_small_n():
    a, b = [1.0, 2.0, 3.0], [0.5, 1.0, 2.5]
    e = estimates.paired_comparison(a, b, min_n=8)
    assert e.center == pytest.approx(np.mean([0.5, 1.0, 0.5])) and e.underpowered and "paired" in e.method
    with pytest.raises(ValueError, match="paired"):
        estimates.paired_comparison([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="method"):
        estimates.paired_comparison(a, b, method="bootstrap")
    with pytest.raises(ValueError, match="finite"):
        estimates.paired_comparison([math.inf], [1.0])


def test_speedup_and_interleaved_timing():
    calls = []
    clock = iter(range(1000))
    out = estimates.time_interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                     repeats=7, warmup=1, timer=lambda: float(next(clock)))
    assert calls[:2] == ["a", "b"] and calls[2:6] == ["a", "b", "b", "a"]  # warm-up, then rotating order
    assert {k: len(v) for k, v in out.items()} == {"a": 7, "b": 7} and all(t == 1.0 for t in out["a"])
    s = estimates.speedup([2.0] * 7, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0])
    assert s.center == 2.0 and s.low == pytest.approx(np.percentile([2] * 6 + [1], 5)) and s.n == 7
    with pytest.raises(ValueError, match="repeats"):
        estimates.time_interleaved({"a": lambda: None}, repeats=0)
    with pytest.raises(TypeError, match="callables"):
        estimates.time_interleaved({"a": 3})
    with pytest.raises(ValueError, match="low must not exceed high"):
        estimates.Estimate(1.0, 2.0, 0.0, 3, "x")
