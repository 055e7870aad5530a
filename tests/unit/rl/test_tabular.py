import numpy as np
import pytest

import paperlab.rl as rl
from paperlab.rl import tabular


def _iterative_q(P, R, terminal, pi, gamma, iters=3000):
    q = np.zeros(R.shape)
    for _ in range(iters):
        v = np.einsum("sa,sac->sc", pi, q) * (~terminal)[:, None]
        q = R + gamma * np.einsum("sat,tc->sac", P, v)
        q[terminal] = 0
    return q


def test_policy_evaluation_matches_iterative_bellman_and_channels_sum():
    env = rl.make_env("paperlab/SparseGoalGrid-v0", 0)
    m = env.unwrapped.tabular_model()
    pi = np.full((64, 4), 0.25)
    q = tabular.policy_evaluation(m.P, m.R, m.terminal, pi, 0.9)
    ref = _iterative_q(m.P, m.R, m.terminal, pi, 0.9)
    np.testing.assert_allclose(q, ref, atol=1e-8)
    q_total = tabular.policy_evaluation(m.P, m.R.sum(axis=2), m.terminal, pi, 0.9)
    np.testing.assert_allclose(q.sum(axis=2), q_total[..., 0], atol=1e-10)


def test_value_iteration_frozenlake_deterministic_is_gamma_power():
    env = rl.make_env("FrozenLake-v1", 0, map_name="8x8", is_slippery=False)
    m = tabular.from_frozenlake(env)
    q, pi = tabular.value_iteration(m.P, m.R, m.terminal, 0.9)
    v0 = q.max(axis=1) @ m.start_dist
    assert v0 == pytest.approx(0.9**13)  # 14 steps to the goal, reward 1 on the last


def test_policy_evaluation_agrees_with_monte_carlo():
    env = rl.make_env("FrozenLake-v1", 0, map_name="4x4", is_slippery=True)
    m = tabular.from_frozenlake(env)
    q_star, pi = tabular.value_iteration(m.P, m.R, m.terminal, 0.95)
    q = tabular.policy_evaluation(m.P, m.R, m.terminal, pi, 0.95)
    np.testing.assert_allclose(q[..., 0], q_star, atol=1e-6)
    rets = []
    for _ in range(1500):
        obs, _ = env.reset()
        g, disc, done = 0.0, 1.0, False
        while not done:
            obs, r, term, trunc, _ = env.step(int(pi[int(np.argmax(obs))]))
            g, disc, done = g + disc * r, disc * 0.95, term or trunc
        rets.append(g)
    v0 = q_star.max(axis=1)[0]
    se = np.std(rets) / np.sqrt(len(rets))
    assert abs(np.mean(rets) - v0) < 2.6 * se + 0.02  # 99% CI; + truncation at 100 steps


def test_bad_models():
    with pytest.raises(ValueError, match="P"):
        tabular.value_iteration(np.ones((2, 1, 2)), np.zeros((2, 1)), np.zeros(2, bool), 0.9)
    with pytest.raises(ValueError, match="gamma"):
        tabular.value_iteration(np.eye(2)[:, None], np.zeros((2, 1)), np.zeros(2, bool), 1.0)


def test_finite_horizon_policy_values_and_epsilon_optimum_hand_computed():
    from paperlab.rl.tabular import epsilon_greedy, finite_horizon_policy_values, finite_horizon_values

    # chain 0 -> 1 -> 2 (terminal); action 0 moves right with reward -1 (+10 on entering 2), action 1 stays (0)
    P = np.zeros((3, 2, 3))
    P[0, 0, 1] = P[1, 0, 2] = P[2, :, 2] = 1.0
    P[0, 1, 0] = P[1, 1, 1] = 1.0
    R = np.zeros((3, 2))
    R[0, 0], R[1, 0] = -1.0, 10.0
    term = np.array([False, False, True])
    v = finite_horizon_policy_values(P, R, term, np.array([0, 0, 0]), 2)
    np.testing.assert_allclose(v, [9.0, 10.0, 0.0])
    np.testing.assert_allclose(finite_horizon_values(P, R, term, 2), v)  # the greedy policy is optimal
    # horizon 1 from state 0: only the -1 step fits, but staying (0) is better
    np.testing.assert_allclose(finite_horizon_values(P, R, term, 1), [0.0, 10.0, 0.0])
    # eps-greedy, eps = 0.5, two actions: move with probability 0.75
    pi = epsilon_greedy(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]), 0.5)
    np.testing.assert_allclose(pi[:2], [[0.75, 0.25], [0.75, 0.25]])
    # V_1(1) = 0.75 * 10 = 7.5 ; V_2(0) = 0.75 * (-1 + 7.5) + 0.25 * V_1(0), V_1(0) = 0.75 * -1 = -0.75
    v = finite_horizon_policy_values(P, R, term, pi, 2)
    assert v[0] == pytest.approx(0.75 * 6.5 + 0.25 * -0.75)
    # the best eps-greedy value with horizon 2 picks "stay" at horizon 1 in state 0:
    # V_1(0) = 0.5 * max(-1, 0) + 0.5 * mean(-1, 0) = -0.25 ; V_1(1) = 0.5 * 10 + 0.5 * 5 = 7.5
    # V_2(0) = 0.5 * max(6.5, -0.25) + 0.5 * mean(6.5, -0.25) = 3.25 + 1.5625
    assert finite_horizon_values(P, R, term, 2, eps=0.5)[0] == pytest.approx(4.8125)
    with pytest.raises(ValueError, match="eps"):
        finite_horizon_values(P, R, term, 2, eps=2.0)
    with pytest.raises(ValueError, match="policy"):
        finite_horizon_policy_values(P, R, term, np.ones((3, 2)), 2)
