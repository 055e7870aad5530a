"""Environments of the RL series: registration under ``paperlab/`` and :func:`make_env`.

| id | what | obs | time limit |
|---|---|---|---|
| ``paperlab/SparseGoalGrid-v0`` | deterministic 8x8 sparse-goal grid (optimal return 0.86) | one-hot (64,) | 60 |
| ``paperlab/FrozenLake8x8-v0`` | gymnasium FrozenLake 8x8, deterministic by default | one-hot (64,) | 200 |
| ``paperlab/MinAtar-<Game>-v1`` | MinAtar game via :class:`MinAtarCompat` (optional extra) | float (10, 10, C) | 10,000 |

CartPole is used as gymnasium's own ``CartPole-v1`` (time limit 500) through :func:`make_env`.
"""

from __future__ import annotations

import gymnasium as gym
from gymnasium.envs.registration import registry

from paperlab.rl.envs.grid import SparseGoalGrid
from paperlab.rl.envs.minatar import GAMES, INSTALL_HINT, MinAtarCompat, import_minatar
from paperlab.rl.envs.wrappers import FloatObs, OneHotObs, RewardChannels, SeedOnFirstReset

__all__ = [
    "FloatObs",
    "GAMES",
    "INSTALL_HINT",
    "MinAtarCompat",
    "OneHotObs",
    "RewardChannels",
    "SeedOnFirstReset",
    "SparseGoalGrid",
    "import_minatar",
    "make_env",
    "register_envs",
    "registered_ids",
]

FROZENLAKE_8X8_STEPS = 200  # set explicitly: gym.make("FrozenLake-v1", map_name="8x8") keeps the 4x4 id's 100


def _frozenlake(map_name: str = "8x8", is_slippery: bool = False, **kw) -> gym.Env:
    from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv

    return FrozenLakeEnv(map_name=map_name, is_slippery=is_slippery, **kw)


def _camel(game: str) -> str:
    return "".join(p.capitalize() for p in game.split("_"))


def _ids() -> dict[str, dict]:
    ids = {
        "paperlab/SparseGoalGrid-v0": {
            "entry_point": "paperlab.rl.envs.grid:SparseGoalGrid",
            "max_episode_steps": 60,
        },
        "paperlab/FrozenLake8x8-v0": {
            "entry_point": "paperlab.rl.envs:_frozenlake",
            "max_episode_steps": FROZENLAKE_8X8_STEPS,
        },
    }
    for game in GAMES:
        ids[f"paperlab/MinAtar-{_camel(game)}-v1"] = {
            "entry_point": "paperlab.rl.envs.minatar:MinAtarCompat",
            "max_episode_steps": 10_000,
            "kwargs": {"game": game},
        }
    return ids


def registered_ids() -> list[str]:
    """The ``paperlab/`` env ids (MinAtar ones need the optional extra to construct)."""
    return sorted(_ids())


def register_envs() -> None:
    """Register the ``paperlab/`` ids with gymnasium; ids already registered are skipped (idempotent)."""
    for env_id, spec in _ids().items():
        if env_id not in registry:
            gym.register(id=env_id, **spec)


def make_env(env_id: str, seed: int, **kwargs) -> gym.Env:
    """Build ``env_id`` with the standard wrappers for it, seeded.

    - FrozenLake (``"FrozenLake-v1"`` or ``"paperlab/FrozenLake8x8-v0"``): one-hot observations; the
      time limit is set explicitly (200 steps for 8x8, 100 for 4x4) unless ``max_episode_steps`` is given.
    - MinAtar (``"paperlab/MinAtar-<Game>-v1"``): needs the optional extra; raises ``ImportError`` naming it.
    - Every env gets :class:`RewardChannels` and :class:`SeedOnFirstReset`; the action and observation
      spaces are seeded with ``seed``.
    """
    register_envs()
    if env_id == "FrozenLake-v1":
        kwargs.setdefault(
            "max_episode_steps", FROZENLAKE_8X8_STEPS if kwargs.get("map_name", "4x4") == "8x8" else 100
        )
    if env_id.startswith("paperlab/MinAtar-"):
        import_minatar()
    env = gym.make(env_id, **kwargs)
    if isinstance(env.observation_space, gym.spaces.Discrete):
        env = OneHotObs(env)
    env = SeedOnFirstReset(RewardChannels(env), seed)
    env.action_space.seed(seed)
    env.observation_space.seed(seed)
    return env
