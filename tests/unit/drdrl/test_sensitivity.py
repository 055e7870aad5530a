"""Action gaps and noisy-Q returns against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from paperlab.drdrl.sensitivity import action_gaps, noisy_greedy_returns
from paperlab.rl.tabular import TabularModel


def test_action_gaps_skip_ties_with_the_best():
    q = np.array([[1.0, 1.0, 0.5], [2.0, 1.5, 1.5], [3.0, 3.0, 3.0]])
    got = action_gaps(q)
    assert got[:2] == pytest.approx([0.5, 0.5])
    assert np.isnan(got[2])
    assert action_gaps(q, np.array([False, True, False])) == pytest.approx([0.5])


def _stay_or_leave() -> TabularModel:
    """State 0: action 0 ends the episode with reward 1 (to terminal state 1), action 1 stays with reward 0."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = P[0, 1, 0] = P[1, :, 1] = 1.0
    R = np.zeros((2, 2, 1))
    R[0, 0, 0] = 1.0
    return TabularModel(P, R, np.array([False, True]), np.array([1.0, 0.0]), lambda o: 0, lambda s: np.zeros(1))


@pytest.mark.parametrize("eps, horizon", [(0.0, 3), (0.2, 3), (0.5, 5)])
def test_noise_free_returns_equal_the_closed_form(eps, horizon):
    m = _stay_or_leave()
    # greedy on the right action: leave with probability 1 - eps/2 at each step
    right = noisy_greedy_returns(m, np.array([[1.0, 0.9], [0.0, 0.0]]), 0.0, 2, eps, horizon)
    assert right == pytest.approx([1 - (eps / 2) ** horizon] * 2)
    # greedy on the wrong action: leave only through exploration, probability eps/2 per step
    wrong = noisy_greedy_returns(m, np.array([[0.9, 1.0], [0.0, 0.0]]), 0.0, 1, eps, horizon)
    assert wrong == pytest.approx([1 - (1 - eps / 2) ** horizon])


def test_large_noise_picks_either_action_about_half_the_time():
    m = _stay_or_leave()
    got = noisy_greedy_returns(m, np.array([[1.0, 0.99], [0.0, 0.0]]), 100.0, 400, 0.0, 1, seed=1)
    assert set(np.round(got, 9)) <= {0.0, 1.0}
    assert 0.4 < got.mean() < 0.6  # binomial(400, 1/2): 5 standard deviations either side


def test_bad_inputs_name_the_argument():
    m = _stay_or_leave()
    q = np.zeros((2, 2))
    with pytest.raises(ValueError, match="sigma"):
        noisy_greedy_returns(m, q, -1.0, 1, 0.0, 1)
    with pytest.raises(ValueError, match="draws"):
        noisy_greedy_returns(m, q, 0.1, 0, 0.0, 1)
    with pytest.raises(ValueError, match="q must be"):
        noisy_greedy_returns(m, np.zeros((3, 2)), 0.1, 1, 0.0, 1)
    with pytest.raises(ValueError, match="q must be"):
        action_gaps(np.zeros(3))
