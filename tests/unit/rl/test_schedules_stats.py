import numpy as np
import pytest

from paperlab.rl import schedules, stats
from paperlab.rl.seeding import env_seeds


def test_linear_endpoints_and_monotone():
    s = schedules.linear(1.0, 0.05, 100)
    assert s(0) == 1.0 and s(100) == pytest.approx(0.05) and s(10_000) == pytest.approx(0.05)
    vals = [s(t) for t in range(0, 120, 5)]
    assert all(b <= a for a, b in zip(vals, vals[1:], strict=False))


def test_piecewise_official_schedule_and_outside():
    s = schedules.piecewise([(0, 1.0), (200_000, 0.1), (2_000_000, 0.01)], outside=0.01)
    assert s(0) == 1.0 and s(100_000) == pytest.approx(0.55) and s(200_000) == pytest.approx(0.1)
    assert s(5_000_000) == 0.01 and s(-1) == 0.01
    with pytest.raises(ValueError, match="knots"):
        schedules.piecewise([(5, 1.0), (1, 0.0)])


def test_exponential():
    s = schedules.exponential(1.0, 0.1, 10)
    assert s(0) == 1.0 and s(10) == pytest.approx(0.1 + 0.9 / np.e)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.exponential(1, 0, 0)


def test_steps_to_threshold():
    steps = [100, 200, 300, 400, 500, 600]
    assert stats.steps_to_threshold(steps, [0, 0, 0, 0, 0, 0], 0.5) is None
    assert stats.steps_to_threshold(steps, [0, 1, 1, 1, 0, 0], 0.5) == 200
    assert stats.steps_to_threshold(steps, [0, 1, 1, 0, 1, 1], 0.5) is None  # a dip resets the run
    assert stats.steps_to_threshold(steps, [0, 1, 1, 0, 1, 1], 0.5, patience=2) == 200
    assert stats.steps_to_threshold(steps, [0, 0, 0, 0.5, 0.5, 0.5], 0.5) == 400  # >= counts, at the boundary
    with pytest.raises(ValueError, match="patience"):
        stats.steps_to_threshold(steps, steps, 1, patience=0)
    with pytest.raises(ValueError, match="same length"):
        stats.steps_to_threshold(steps, [1], 1)


def test_bootstrap_ci_reproducible_and_contains_estimate():
    x = np.array([3000, 4500, 2500, 3500, 5000.0])
    a = stats.bootstrap_ci(x, np.random.default_rng(0))
    b = stats.bootstrap_ci(x, np.random.default_rng(0))
    assert a == b and a[0] <= np.median(x) <= a[1]


def test_iqm_and_summarize():
    assert stats.iqm([1, 2, 3, 4, 100, 5, 6, 7]) == pytest.approx(np.mean([3, 4, 5, 6]))
    c = np.array([[0.0, 1.0], [2.0, 3.0]])
    mean, lo, hi = stats.summarize(c)
    np.testing.assert_allclose(mean, [1, 2])
    np.testing.assert_allclose(hi - mean, [1, 1])


def test_env_seeds_independent_and_reproducible():
    a = env_seeds(0, 3)
    assert a == env_seeds(0, 3) and len(set(a)) == 3 and a != env_seeds(1, 3)
    with pytest.raises(ValueError, match="seed"):
        env_seeds(-1, 2)
