"""MinAtar Seaquest with its two reward sources split into channels (DRDRL paper budget, optional extra).

MinAtar Seaquest (``minatar/environments/seaquest.py``, minatar 1.0.15) pays reward from two sources:

| channel | source | value per event |
|---|---|---|
| 0 ``kills`` | a player bullet strikes an enemy sub or fish (four places in ``Env.act``) | +1 |
| 1 ``surfacing`` | ``Env._surface()`` when the sub surfaces carrying 6 divers | ``oxygen * 10 // 200`` (0-10) |

Every non-zero surfacing payout comes from ``_surface()``, so wrapping that one bound method *on the game
instance* (MinAtar's code is neither copied nor modified) records channel 1 exactly, and channel 0 is the
rest: ``kills = reward - surfacing``. ``info["reward_channels"]`` is float32 ``[kills, surfacing]`` and
sums to the reward. A random policy never sees channel 1 (0 in 200k steps, brief §5): it needs an agent
that rescues 6 divers, hence the paper budget.

Importing this module registers ``paperlab/MinAtarSeaquestChannels-v0`` (time limit 10,000, like the
``paperlab/MinAtar-*`` ids) only when ``minatar`` is importable; constructing the env without it raises
``ImportError`` naming ``make minatar``. MinAtar is GPL and stays an optional extra.
"""

from __future__ import annotations

import importlib.util

import numpy as np
from gymnasium.envs.registration import registry

from paperlab.rl.envs import MinAtarCompat, import_minatar

ENV_ID = "paperlab/MinAtarSeaquestChannels-v0"
CHANNELS = ("kills", "surfacing")
INSTALL = "make minatar  (i.e. pip install --no-deps minatar==1.0.15 into the venv)"
MAX_EPISODE_STEPS = 10_000


class MinAtarSeaquestChannels(MinAtarCompat):
    """MinAtar Seaquest (via :class:`paperlab.rl.envs.MinAtarCompat`) reporting per-source rewards.

    Observation float32 ``(10, 10, 10)``, ``Discrete(6)`` actions, reward = kills + surfacing bonus;
    ``info["reward_channels"]``: float32 ``[2]`` = ``[kills, surfacing]`` (zeros at reset).
    Arguments are those of :class:`MinAtarCompat` minus ``game``.
    """

    n_channels = len(CHANNELS)

    def __init__(
        self,
        sticky_action_prob: float = 0.1,
        difficulty_ramping: bool = True,
        minimal_action_set: bool = True,
        render_mode: str | None = None,
    ) -> None:
        try:
            import_minatar()
        except ImportError as err:
            raise ImportError(
                f"{ENV_ID} needs MinAtar (optional GPL extra); install it with: {INSTALL}"
            ) from err
        super().__init__("seaquest", sticky_action_prob, difficulty_ramping, minimal_action_set, render_mode)
        game = self.game.env  # minatar.environments.seaquest.Env
        surface = getattr(game, "_surface", None)
        if surface is None:
            raise RuntimeError(
                "this MinAtar version has no Seaquest Env._surface; the split needs minatar==1.0.15"
            )
        self._surfacing = 0.0

        def counted_surface() -> int:
            bonus = surface()  # MinAtar's own _surface: oxygen refill, divers, ramp, and the bonus
            self._surfacing += bonus
            return bonus

        game._surface = counted_surface  # instance attribute: only this env's game is affected

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        obs, info = super().reset(seed=seed, options=options)
        return obs, {**info, "reward_channels": np.zeros(self.n_channels, dtype=np.float32)}

    def step(self, action):
        self._surfacing = 0.0
        obs, reward, term, trunc, info = super().step(action)
        # r = kills + surfacing, the surfacing part counted inside _surface() during this step
        channels = np.array([reward - self._surfacing, self._surfacing], dtype=np.float32)
        return obs, reward, term, trunc, {**info, "reward_channels": channels}


def minatar_available() -> bool:
    """Whether ``minatar`` can be imported (checked without importing it)."""
    return importlib.util.find_spec("minatar") is not None


def register_seaquest_channels() -> bool:
    """Register :data:`ENV_ID` if MinAtar is importable (idempotent); returns whether the id is registered."""
    if not minatar_available():
        return False
    if ENV_ID not in registry:
        from gymnasium import register

        register(
            id=ENV_ID,
            entry_point="paperlab.drdrl.minatar_channels:MinAtarSeaquestChannels",
            max_episode_steps=MAX_EPISODE_STEPS,
        )
    return True


register_seaquest_channels()
