"""MinAtar Seaquest reward channels: import guard, checker, exact split. Needs the optional ``minatar``."""

from __future__ import annotations

import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from paperlab.drdrl import minatar_channels as mc
from paperlab.rl import make_env

UP = 2  # minimal action set of Seaquest: n, l, u, r, d, f


def test_missing_minatar_raises_import_error_naming_make_minatar(monkeypatch):
    monkeypatch.setitem(sys.modules, "minatar", None)  # `import minatar` now raises ImportError
    assert not mc.minatar_available()
    assert mc.register_seaquest_channels() is False
    with pytest.raises(ImportError, match="make minatar"):
        mc.MinAtarSeaquestChannels()


def test_not_registered_without_minatar():
    if mc.minatar_available():
        pytest.skip("minatar is installed; the id is registered (checked in the tests below)")
    assert mc.ENV_ID not in gym.registry


# ---- with minatar ----------------------------------------------------------------------------------
def _minatar():
    pytest.importorskip("minatar", reason="optional extra: make minatar")


def test_env_checker_passes_and_id_registered():
    _minatar()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(mc.MinAtarSeaquestChannels(), skip_render_check=True)
    assert mc.register_seaquest_channels() is True
    assert gym.spec(mc.ENV_ID).max_episode_steps == mc.MAX_EPISODE_STEPS
    env = gym.make(mc.ENV_ID)
    _, info = env.reset(seed=0)
    assert info["reward_channels"].dtype == np.float32 and info["reward_channels"].tolist() == [0.0, 0.0]


def test_surfacing_bonus_matches_minatar_rule():
    """Surfacing with 6 divers pays oxygen * 10 // 200 (closed form from seaquest.py), all in channel 1."""
    _minatar()
    env = mc.MinAtarSeaquestChannels(sticky_action_prob=0.0)
    env.reset(seed=0)
    game = env.game.env
    for oxygen, bonus in ((150, 7), (200, 10), (19, 0)):
        game.diver_count, game.oxygen, game.sub_y, game.surface = 6, oxygen, 1, False
        _, r, term, _, info = env.step(UP)
        assert not term
        assert r == bonus and info["reward_channels"].tolist() == [0.0, float(bonus)]


def test_channels_sum_to_reward_and_both_occur_on_seeded_random_rollout():
    """Seeded random policy through make_env; divers topped up to 6 each step so surfacing pays.

    A random policy never rescues 6 divers on its own, so the top-up is the test's way to reach
    channel 1; kills (channel 0) are earned by the random policy itself.
    """
    _minatar()
    env = make_env(mc.ENV_ID, seed=3)
    game = env.unwrapped.game.env
    env.reset()
    totals, reward_sum = np.zeros(2), 0.0
    for _ in range(4000):
        game.diver_count = 6
        _, r, term, trunc, info = env.step(env.action_space.sample())
        ch = info["reward_channels"]
        assert ch.shape == (2,) and ch.dtype == np.float32 and (ch >= 0).all()
        assert float(ch.sum()) == r
        totals += ch
        reward_sum += r
        if term or trunc:
            env.reset()
    assert totals[0] > 0 and totals[1] > 0, f"both channels must occur, got totals {totals.tolist()}"
    assert totals.sum() == reward_sum


def test_rollout_is_seeded():
    _minatar()

    def run(seed):
        env = make_env(mc.ENV_ID, seed=seed)
        env.reset()
        out = []
        for _ in range(300):
            obs, r, term, trunc, info = env.step(env.action_space.sample())
            out.append((float(obs.sum()), r, *info["reward_channels"].tolist()))
            if term or trunc:
                env.reset()
        return out

    assert run(5) == run(5)
