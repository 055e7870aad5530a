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
