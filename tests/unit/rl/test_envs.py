import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import paperlab.rl as rl
from paperlab.rl import tabular
from paperlab.rl.envs import INSTALL_HINT, MinAtarCompat, OneHotObs, SparseGoalGrid, registered_ids

LOCAL_IDS = ["paperlab/SparseGoalGrid-v0", "paperlab/FrozenLake8x8-v0"]


@pytest.mark.parametrize("env_id", LOCAL_IDS)
def test_env_checker_passes(env_id):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(gym.make(env_id).unwrapped, skip_render_check=True)


def test_registration_is_idempotent_and_namespaced():
    rl.register_envs()
    rl.register_envs()
    assert all(i.startswith("paperlab/") for i in registered_ids())
    assert gym.spec("paperlab/SparseGoalGrid-v0").max_episode_steps == 60
    assert gym.spec("paperlab/FrozenLake8x8-v0").max_episode_steps == 200


def _rollout(env, actions):
    obs, _ = env.reset()
    out = [obs]
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        assert np.isclose(info["reward_channels"].sum(), r)
        assert env.observation_space.contains(obs)
        out.append(obs)
        if term or trunc:
            break
    return np.stack(out)


def test_same_seed_same_trajectory_slippery():
    acts = np.random.default_rng(0).integers(0, 4, 50)
    a = _rollout(rl.make_env("FrozenLake-v1", 3, map_name="8x8", is_slippery=True), acts)
    b = _rollout(rl.make_env("FrozenLake-v1", 3, map_name="8x8", is_slippery=True), acts)
    np.testing.assert_array_equal(a, b)


def test_grid_optimal_and_timeout_returns():
    env = rl.make_env("paperlab/SparseGoalGrid-v0", 0)
    m = env.unwrapped.tabular_model()
    v60 = tabular.finite_horizon_values(m.P, m.R, m.terminal, 60)
    assert v60 @ m.start_dist == pytest.approx(0.86)
    # the shortest path: 7 down, 7 left
    env.reset()
    total = sum(env.step(a)[1] for a in [2] * 7 + [3] * 7)
    assert total == pytest.approx(0.86)
    env.reset()
    ret, done = 0.0, False
    while not done:  # bump into the top wall until the time limit
        _, r, term, trunc, _ = env.step(0)
        ret, done = ret + r, term or trunc
    assert trunc and not term and ret == pytest.approx(-0.6)


def test_grid_tabular_model_matches_env():
    env = SparseGoalGrid()
    m = env.tabular_model()
    env.reset(seed=0)
    rng = np.random.default_rng(1)
    for _ in range(200):
        s = m.obs_to_state(env._obs())
        a = int(rng.integers(4))
        obs, r, term, _, info = env.step(a)
        assert m.P[s, a, m.obs_to_state(obs)] == 1.0
        np.testing.assert_allclose(m.R[s, a], info["reward_channels"], rtol=1e-6)
        if term:
            env.reset()


def test_frozenlake_model_matches_empirical_frequencies():
    from scipy.stats import chisquare

    env = rl.make_env("FrozenLake-v1", 0, map_name="8x8", is_slippery=True)
    m = tabular.from_frozenlake(env)
    base = env.unwrapped
    counts = np.zeros(64)
    for _ in range(1000):
        env.reset()
        base.s = 9  # an interior frozen cell
        obs, *_ = env.step(1)
        counts[int(np.argmax(obs))] += 1
    p = m.P[9, 1]
    nz = p > 0
    assert chisquare(counts[nz], p[nz] * counts.sum()).pvalue > 1e-3
    assert counts[~nz].sum() == 0


def test_onehot_wrapper_and_bad_inputs():
    env = OneHotObs(gym.make("FrozenLake-v1"))
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.sum() == 1.0
    with pytest.raises(TypeError, match="env"):
        OneHotObs(gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="size"):
        SparseGoalGrid(size=1)
    with pytest.raises(ValueError, match="goal"):
        SparseGoalGrid(goal=(9, 9))
    with pytest.raises(ValueError, match="action"):
        g = SparseGoalGrid()
        g.reset()
        g.step(7)


def test_grid_render_headless():
    env = SparseGoalGrid(render_mode="ansi")
    env.reset(seed=0)
    assert env.render().count("A") == 1
    img = SparseGoalGrid(render_mode="rgb_array")
    img.reset(seed=0)
    assert img.render().shape == (64, 64, 3)


def test_cartpole_keeps_time_limit_and_channels():
    env = rl.make_env("CartPole-v1", 0)
    assert env.spec.max_episode_steps == 500
    obs, info = env.reset()
    _, r, *_, info = env.step(0)
    assert info["reward_channels"].tolist() == [r]


def test_missing_minatar_names_install_command(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake(name, *a, **k):
        if name == "minatar":
            raise ImportError("no minatar")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match="pip install") as err:
        rl.make_env("paperlab/MinAtar-Breakout-v1", 0)
    assert INSTALL_HINT in str(err.value)


def test_minatar_compat_checker_and_time_limit():
    pytest.importorskip("minatar")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(MinAtarCompat("breakout"), skip_render_check=True)
    env = rl.make_env("paperlab/MinAtar-Freeway-v1", 0, max_episode_steps=25)
    env.reset()
    for _t in range(25):
        _, _, term, trunc, _ = env.step(0)
    assert trunc and not term
    with pytest.raises(ValueError, match="game"):
        MinAtarCompat("pong")
