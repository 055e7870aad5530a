"""A uniform ring-buffer replay memory and an episode recorder.

``terminated`` and ``truncated`` are stored separately: a TD target bootstraps through truncation
(a time limit) and stops only at a real terminal state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch


@dataclass
class Batch:
    """A minibatch of transitions as torch tensors (leading dimension B).

    ``gamma_n`` is the discount to apply to the bootstrap value: ``gamma`` for one-step samples,
    ``gamma**k`` for an n-step sample that used k rewards.
    """

    obs: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    next_obs: torch.Tensor
    terminated: torch.Tensor
    truncated: torch.Tensor
    indices: np.ndarray
    gamma_n: torch.Tensor | None = None
    extras: dict[str, torch.Tensor] = field(default_factory=dict)


class ReplayBuffer:
    """Fixed-capacity FIFO replay with uniform sampling from an explicit ``np.random.Generator``.

    Args:
        capacity: maximum number of transitions kept; older ones are overwritten.
        obs_shape: shape of one observation, e.g. ``(64,)`` or ``(10, 10, 4)``.
        obs_dtype: storage dtype of observations (``np.float32``, ``np.uint8`` ...).
        action_shape: ``()`` for discrete actions, ``(k,)`` for continuous ones.
        action_dtype: ``np.int64`` for discrete, ``np.float32`` for continuous.
        extras: additional per-transition fields, name -> shape, e.g. ``{"reward_channels": (2,)}``.
        rng: the generator used by ``sample``; required so that sampling is reproducible.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        obs_dtype: Any = np.float32,
        action_shape: tuple[int, ...] = (),
        action_dtype: Any = np.int64,
        extras: dict[str, tuple[int, ...]] | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int | np.integer) or capacity < 1:
            raise ValueError(f"capacity must be a positive int, got {capacity!r}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator (pass np.random.default_rng(seed))")
        self.capacity = int(capacity)
        self.obs_shape = tuple(obs_shape)
        self.action_shape = tuple(action_shape)
        self.rng = rng
        self.obs = np.zeros((self.capacity, *self.obs_shape), dtype=obs_dtype)
        self.next_obs = np.zeros_like(self.obs)
        self.action = np.zeros((self.capacity, *self.action_shape), dtype=action_dtype)
        self.reward = np.zeros(self.capacity, dtype=np.float32)
        self.terminated = np.zeros(self.capacity, dtype=bool)
        self.truncated = np.zeros(self.capacity, dtype=bool)
        self.extras = {
            k: np.zeros((self.capacity, *tuple(s)), dtype=np.float32) for k, s in (extras or {}).items()
        }
        self.pos = 0  # next slot to write
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def _check(self, name: str, value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        value = np.asarray(value)
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {value.shape}")
        return value

    def add(self, obs, action, reward, next_obs, terminated, truncated, **extras) -> None:
        """Store one transition ``(s, a, r, s', terminated, truncated)`` plus the declared extras."""
        i = self.pos
        self.obs[i] = self._check("obs", obs, self.obs_shape)
        self.next_obs[i] = self._check("next_obs", next_obs, self.obs_shape)
        self.action[i] = self._check("action", action, self.action_shape)
        self.reward[i] = float(reward)
        self.terminated[i] = bool(terminated)
        self.truncated[i] = bool(truncated)
        if set(extras) != set(self.extras):
            raise ValueError(f"extras must be exactly {sorted(self.extras)}, got {sorted(extras)}")
        for k, v in extras.items():
            self.extras[k][i] = self._check(k, v, self.extras[k].shape[1:])
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def _indices(self, batch_size: int) -> np.ndarray:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if self.size == 0:
            raise ValueError("the buffer is empty; add transitions before sampling")
        return self.rng.integers(0, self.size, size=batch_size)

    def _batch(self, idx: np.ndarray, reward, next_idx, terminated, gamma_n) -> Batch:
        t = torch.from_numpy
        return Batch(
            obs=t(self.obs[idx]),
            action=t(self.action[idx]),
            reward=t(np.asarray(reward, dtype=np.float32)),
            next_obs=t(self.next_obs[next_idx]),
            terminated=t(np.asarray(terminated)),
            truncated=t(self.truncated[next_idx]),
            indices=idx,
            gamma_n=None if gamma_n is None else t(np.asarray(gamma_n, dtype=np.float32)),
            extras={k: t(v[idx]) for k, v in self.extras.items()},
        )

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement."""
        idx = self._indices(batch_size)
        return self._batch(idx, self.reward[idx], idx, self.terminated[idx], None)

    def sample_nstep(self, batch_size: int, n: int, gamma: float) -> Batch:
        """n-step samples: ``R_n = sum_{k<m} gamma^k r_{t+k}`` with ``m <= n`` rewards.

        The sum stops early at the end of an episode (``terminated`` or ``truncated``) and at the
        newest stored transition. ``next_obs``/``terminated`` are those of the last step used and
        ``gamma_n = gamma**m`` discounts the bootstrap value.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must be in [0, 1], got {gamma}")
        idx = self._indices(batch_size)
        ret = self.reward[idx].astype(np.float64)
        last = idx.copy()
        used = np.ones(len(idx), dtype=np.int64)
        alive = ~(self.terminated[idx] | self.truncated[idx])
        newest = (self.pos - 1) % self.capacity
        for k in range(1, n):
            alive &= last != newest
            nxt = (last + 1) % self.capacity
            ret = np.where(alive, ret + gamma**k * self.reward[nxt], ret)
            last = np.where(alive, nxt, last)
            used = used + alive
            alive &= ~(self.terminated[nxt] | self.truncated[nxt])
        return self._batch(idx, ret, last, self.terminated[last], gamma**used)


@dataclass
class Trajectory:
    """One finished episode: ``obs[t]``, ``actions[t]``, ``rewards[t]`` for t < T, plus how it ended."""

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: bool
    truncated: bool
    final_obs: np.ndarray

    def __len__(self) -> int:
        return len(self.rewards)


class EpisodeRecorder:
    """Collects the running episode; ``finish`` returns it as a :class:`Trajectory` and starts anew."""

    def __init__(self) -> None:
        self._obs: list[np.ndarray] = []
        self._actions: list[Any] = []
        self._rewards: list[float] = []

    def append(self, obs, action, reward) -> None:
        self._obs.append(np.array(obs, copy=True))
        self._actions.append(action)
        self._rewards.append(float(reward))

    def finish(self, final_obs, terminated: bool, truncated: bool) -> Trajectory:
        traj = Trajectory(
            obs=np.stack(self._obs),
            actions=np.asarray(self._actions),
            rewards=np.asarray(self._rewards, dtype=np.float64),
            terminated=bool(terminated),
            truncated=bool(truncated),
            final_obs=np.array(final_obs, copy=True),
        )
        self.__init__()
        return traj
