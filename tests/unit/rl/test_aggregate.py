import numpy as np
import pytest

from paperlab.rl import aggregate as agg


def test_iqm_hand_computed():
    # 8 runs: the middle 50 % are 3, 4, 5, 6
    assert agg.iqm([8, 1, 7, 2, 6, 3, 5, 4]) == pytest.approx(4.5)
    # pooled over tasks: [runs=4, tasks=2] -> 8 values 0..7, middle four 2..5
    assert agg.iqm(np.arange(8).reshape(4, 2)) == pytest.approx(3.5)
    # an outlier outside the middle half does not move it
    assert agg.iqm([1, 2, 3, 4, 5, 6, 7, 1000]) == pytest.approx(4.5)
    assert agg.median_score([[1, 3], [5, 7], [0, 0]]) == pytest.approx(2.0)


def test_probability_of_improvement_hand_computed():
    x, y = [1, 2, 3], [2, 2, 0]
    # 1 vs (2, 2, 0): 0, 0, 1 ; 2 vs: .5, .5, 1 ; 3 vs: 1, 1, 1  -> 6 / 9
    assert agg.probability_of_improvement(x, y) == pytest.approx(6 / 9)
    assert agg.probability_of_improvement(y, x) == pytest.approx(3 / 9)  # P(X>Y) + P(Y>X) = 1
    # two tasks: average of the per-task values; unequal numbers of runs are fine
    xs = np.array([[1.0, 0.0], [3.0, 0.0]])
    ys = np.array([[2.0, 1.0]])
    assert agg.probability_of_improvement(xs, ys) == pytest.approx((0.5 + 0.0) / 2)
    with pytest.raises(ValueError, match="same tasks"):
        agg.probability_of_improvement(np.zeros((2, 2)), np.zeros((2, 3)))


def test_stratified_bootstrap_resamples_within_tasks():
    # task 0 all zeros, task 1 all ones: every stratified resample has mean exactly 0.5
    s = np.column_stack([np.zeros(5), np.ones(5)])
    point, lo, hi, reps = agg.stratified_bootstrap([s], agg.mean_score, np.random.default_rng(0), reps=200)
    assert point == lo == hi == 0.5 and np.all(reps == 0.5)
    # one task, two runs {0, 1}: the bootstrap mean is 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4
    _, lo, hi, reps = agg.stratified_bootstrap([[0.0, 1.0]], agg.mean_score, np.random.default_rng(1), reps=4000)
    freq = [np.mean(reps == v) for v in (0.0, 0.5, 1.0)]
    np.testing.assert_allclose(freq, [0.25, 0.5, 0.25], atol=0.03)
    assert (lo, hi) == (0.0, 1.0)


def test_estimates_are_reproducible_and_contain_the_point():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1, 1, 10), rng.normal(0, 1, 10)
    a = agg.improvement_estimate(x, y, np.random.default_rng(3), reps=500)
    b = agg.improvement_estimate(x, y, np.random.default_rng(3), reps=500)
    assert a == b and a.low <= a.center <= a.high and a.n == 10 and a.center_name == "P(X>Y)"
    assert a.center == pytest.approx(agg.probability_of_improvement(x, y))
    e = agg.iqm_estimate(x, np.random.default_rng(0), reps=500, min_n=10)
    assert e.low <= e.center <= e.high and not e.underpowered and len(e.values) == 10
    assert agg.iqm_estimate(x[:5], np.random.default_rng(0), reps=50, min_n=10).underpowered


def test_performance_profile_hand_computed():
    s = [0.2, 0.5, 0.9, 1.0]
    np.testing.assert_allclose(agg.performance_profile(s, [0.0, 0.5, 0.95, 1.0]), [1.0, 0.5, 0.25, 0.0])
    prof, lo, hi = agg.profile_bands(s, [0.0, 0.5], np.random.default_rng(0), reps=300)
    np.testing.assert_allclose(prof, [1.0, 0.5])
    assert np.all(lo <= prof) and np.all(prof <= hi) and lo[0] == hi[0] == 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="finite"):
        agg.iqm([1.0, np.nan])
    with pytest.raises(TypeError, match="scores"):
        agg.iqm(["a", object()])
    with pytest.raises(ValueError, match="reps"):
        agg.stratified_bootstrap([[1.0]], agg.mean_score, np.random.default_rng(0), reps=0)
    with pytest.raises(TypeError, match="rng"):
        agg.stratified_bootstrap([[1.0]], agg.mean_score, rng=0)
