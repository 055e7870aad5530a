"""``MinAtarCompat``: MinAtar games (Young & Tian 2019) as checker-compliant gymnasium envs.

MinAtar is an optional GPL extra and is imported lazily here, never vendored. MinAtar's own gymnasium
env fails ``gymnasium.utils.env_checker.check_env`` (its ``reset`` does not call
``super().reset(seed=...)`` and it defines the deprecated ``seed()``), and it has no time limit; this
wrapper seeds the game from ``self.np_random`` and returns float32 ``(10, 10, C)`` observations.
"""

from __future__ import annotations

import logging

import gymnasium as gym
import numpy as np
from gymnasium import spaces

INSTALL_HINT = 'pip install "paperlab[minatar]"  (or: pip install --no-deps minatar==1.0.15)'
GAMES = ("asterix", "breakout", "freeway", "seaquest", "space_invaders")


def import_minatar():
    """Import the ``minatar`` package, or raise ``ImportError`` naming the install command."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # minatar logs a warning when seaborn (rendering only) is absent
    try:
        import minatar
    except ImportError as err:
        raise ImportError(f"MinAtar is not installed; install the optional extra: {INSTALL_HINT}") from err
    finally:
        root.setLevel(level)
    return minatar


class MinAtarCompat(gym.Env):
    """A MinAtar game as a ``gymnasium.Env``.

    Args:
        game: one of ``asterix, breakout, freeway, seaquest, space_invaders``.
        sticky_action_prob: probability of repeating the previous action (MinAtar's default 0.1).
        difficulty_ramping: MinAtar's difficulty ramp.
        minimal_action_set: expose only the game's meaningful actions (the ``-v1`` ids) instead of all 6.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        game: str,
        sticky_action_prob: float = 0.1,
        difficulty_ramping: bool = True,
        minimal_action_set: bool = True,
        render_mode: str | None = None,
    ) -> None:
        if game not in GAMES:
            raise ValueError(f"game must be one of {', '.join(GAMES)}, got {game!r}")
        if not 0.0 <= sticky_action_prob <= 1.0:
            raise ValueError(f"sticky_action_prob must be in [0, 1], got {sticky_action_prob}")
        minatar = import_minatar()
        self.game = minatar.Environment(
            game, sticky_action_prob=sticky_action_prob, difficulty_ramping=difficulty_ramping
        )
        self.action_set = (
            list(self.game.minimal_action_set())
            if minimal_action_set
            else list(range(self.game.num_actions()))
        )
        self.action_space = spaces.Discrete(len(self.action_set))
        self.observation_space = spaces.Box(0.0, 1.0, tuple(self.game.state_shape()), np.float32)
        self.render_mode = render_mode

    def _obs(self) -> np.ndarray:
        return np.asarray(self.game.state(), dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        # All of the game's randomness (sticky actions, spawns) is re-seeded from self.np_random.
        self.game.seed(int(self.np_random.integers(2**31 - 1)))
        self.game.reset()
        return self._obs(), {}

    def step(self, action):
        reward, done = self.game.act(self.action_set[int(action)])
        return self._obs(), float(reward), bool(done), False, {}

    def render(self):
        if self.render_mode == "rgb_array":
            state = self.game.state()
            idx = np.amax(state * np.arange(1, state.shape[-1] + 1), axis=2)
            palette = (
                np.linspace(0, 255, state.shape[-1] + 1)[:, None] * np.array([[0.6, 0.8, 1.0]])
            ).astype(np.uint8)
            return palette[idx]
        return None
