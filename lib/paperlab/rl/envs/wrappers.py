"""Small gymnasium wrappers: one-hot and float observations, reward channels, seed-on-first-reset."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class OneHotObs(gym.ObservationWrapper):
    """``Discrete(n)`` observations -> one-hot ``Box(0, 1, (n,), float32)`` (used for FrozenLake)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        if not isinstance(env.observation_space, spaces.Discrete):
            raise TypeError(f"env must have a Discrete observation space, got {env.observation_space}")
        self.n = int(env.observation_space.n)
        self.observation_space = spaces.Box(0.0, 1.0, (self.n,), np.float32)

    def observation(self, observation):
        out = np.zeros(self.n, dtype=np.float32)
        out[int(observation)] = 1.0
        return out


class FloatObs(gym.ObservationWrapper):
    """bool/uint8 ``Box`` observations -> float32 with the same shape and bounds (used for MinAtar)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        space = env.observation_space
        if not isinstance(space, spaces.Box):
            raise TypeError(f"env must have a Box observation space, got {space}")
        self.observation_space = spaces.Box(
            space.low.astype(np.float32), space.high.astype(np.float32), space.shape, np.float32
        )

    def observation(self, observation):
        return np.asarray(observation, dtype=np.float32)


class RewardChannels(gym.Wrapper):
    """Guarantee ``info["reward_channels"]`` (float32 ``[C]``); single-channel envs get ``[reward]``."""

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        if "reward_channels" not in info:
            info = {**info, "reward_channels": np.zeros(1, dtype=np.float32)}
        return obs, info

    def step(self, action):
        obs, reward, term, trunc, info = self.env.step(action)
        if "reward_channels" not in info:
            info = {**info, "reward_channels": np.array([reward], dtype=np.float32)}
        return obs, reward, term, trunc, info


class SeedOnFirstReset(gym.Wrapper):
    """The first ``reset()`` without a seed uses ``seed``; later resets continue the env's own stream."""

    def __init__(self, env: gym.Env, seed: int) -> None:
        super().__init__(env)
        self._pending: int | None = int(seed)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is None and self._pending is not None:
            seed = self._pending
        self._pending = None
        return self.env.reset(seed=seed, options=options)
