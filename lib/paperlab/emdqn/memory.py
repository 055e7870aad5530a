"""The episodic memory of EMDQN: one table per action mapping a projected state key to the best
discounted Monte-Carlo return ever observed from that (state, action).

Keys are a Gaussian random projection ``phi(s) = M vec(s)``, ``M_ij ~ N(0, 1/d)`` (Johnson-Lindenstrauss:
distances are roughly preserved). ``lookup="exact"`` matches keys rounded to ``round_decimals``
(identical observations give identical keys); ``lookup="knn"`` averages the ``k`` nearest keys found by
scipy's ``cKDTree`` and counts a hit when the nearest lies within ``radius``.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np


class RandomProjection:
    """``phi(x) = x M^T`` with ``M [d, in_dim]``, ``M_ij ~ N(0, 1/d)`` drawn from a fixed seed (official: 123456)."""

    def __init__(self, in_dim: int, d: int = 4, seed: int = 123456) -> None:
        if isinstance(in_dim, bool) or not isinstance(in_dim, int | np.integer) or in_dim < 1:
            raise ValueError(f"in_dim must be a positive int, got {in_dim!r}")
        if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
            raise ValueError(f"d must be a positive int (the projection dimension), got {d!r}")
        self.in_dim, self.d = int(in_dim), int(d)
        self.M = np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(d), size=(self.d, self.in_dim))

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        """``[B, *obs_shape]`` (flattened size ``in_dim``) -> keys ``[B, d]`` (float64)."""
        x = np.asarray(obs, dtype=np.float64)
        x = x.reshape(len(x), -1) if x.ndim > 1 else x.reshape(1, -1)
        if x.shape[1] != self.in_dim:
            raise ValueError(f"obs must flatten to in_dim={self.in_dim} values per row, got {x.shape[1]}")
        return x @ self.M.T


def discounted_returns(
    rewards: np.ndarray, gamma: float, clip: tuple[float, float] | None = (-1.0, 1.0), bootstrap: float = 0.0
) -> np.ndarray:
    """Backward pass ``R_t = clip(r_t) + gamma R_{t+1}`` from ``R_T = bootstrap`` (rewards clipped before discounting).

    ``bootstrap`` is 0 for an episode that really ended; for one cut by a time limit it may be a value
    estimate of the state where it was cut (EMDQN's ``truncation="bootstrap"``).
    """
    r = np.asarray(rewards, dtype=np.float64)
    if clip is not None:
        r = np.clip(r, clip[0], clip[1])
    if not np.isfinite(bootstrap):
        raise ValueError(f"bootstrap must be finite, got {bootstrap}")
    out = np.zeros_like(r)
    running = float(bootstrap)
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * running
        out[t] = running
    return out


class EpisodicMemory:
    """Per-action tables ``H_a: key -> best return`` with optional capacity (LRU eviction) and hit counters.

    Args:
        n_actions: number of tables.
        in_dim: flattened observation size.
        d: projection dimension (official code: 4).
        capacity: entries per action; ``None`` = unbounded. When full, the least recently used entry
            (written or read) is evicted.
        lookup: ``"exact"`` or ``"knn"``.
        k: neighbours averaged by the kNN lookup.
        radius: kNN hit radius in key space (``None``: any neighbour counts).
        round_decimals: rounding of keys before matching (and merging writes).
        seed: projection seed; the memory never touches any other random generator.
    """

    def __init__(
        self,
        n_actions: int,
        in_dim: int,
        d: int = 4,
        capacity: int | None = None,
        lookup: str = "exact",
        k: int = 1,
        radius: float | None = None,
        round_decimals: int = 5,
        seed: int = 123456,
    ) -> None:
        if isinstance(n_actions, bool) or not isinstance(n_actions, int | np.integer) or n_actions < 1:
            raise ValueError(f"n_actions must be a positive int, got {n_actions!r}")
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int | np.integer) or capacity < 1
        ):
            raise ValueError(f"capacity must be a positive int or None, got {capacity!r}")
        if lookup not in ("exact", "knn"):
            raise ValueError(f"lookup must be 'exact' or 'knn', got {lookup!r}")
        if lookup == "knn" and (isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1):
            raise ValueError(f"k must be a positive int for lookup='knn', got {k!r}")
        if radius is not None and radius < 0:
            raise ValueError(f"radius must be >= 0 or None, got {radius}")
        self.proj = RandomProjection(in_dim, d, seed)
        self.n_actions, self.capacity, self.lookup_kind = int(n_actions), capacity, lookup
        self.k, self.radius, self.round_decimals = int(k), radius, int(round_decimals)
        self.reset()

    def reset(self) -> None:
        """Empty every table and zero the counters."""
        # key bytes -> [value, key vector]; order = recency (last = most recently used)
        self.tables: list[OrderedDict[bytes, list]] = [OrderedDict() for _ in range(self.n_actions)]
        self._trees: list = [None] * self.n_actions
        self.lookups = self.hits = self.evictions = 0

    # -- keys -------------------------------------------------------------------------------------
    def keys(self, obs: np.ndarray) -> np.ndarray:
        """Rounded projected keys ``[B, d]`` (``+ 0.0`` folds -0.0 into 0.0 so equal keys have equal bytes)."""
        return np.round(self.proj(obs), self.round_decimals) + 0.0

    def _actions(self, actions, n: int) -> np.ndarray:
        a = np.asarray(actions).reshape(-1)
        if a.shape[0] != n:
            raise ValueError(f"actions must have one entry per observation ({n}), got {a.shape[0]}")
        if a.size and (a.min() < 0 or a.max() >= self.n_actions or not np.all(a == np.round(a))):
            raise ValueError(
                f"actions must be integers in [0, {self.n_actions}), got values {np.unique(a)[:5]}"
            )
        return a.astype(np.int64)

    # -- write ------------------------------------------------------------------------------------
    def write_episode(
        self,
        obs_seq,
        actions,
        rewards,
        gamma: float,
        clip: tuple[float, float] | None = (-1.0, 1.0),
        bootstrap: float = 0.0,
    ) -> np.ndarray:
        r"""Write one episode backwards: :math:`H_{a_t}(\phi(s_t)) \leftarrow \max(H, R_t)`, :math:`R_T` = ``bootstrap``.

        ``obs_seq [T, *obs_shape]``, ``actions [T]``, ``rewards [T]``; ``bootstrap`` is the value of the state
        after the last step (0 when the episode terminated). Returns the returns ``R_t`` ``[T]``.
        """
        obs_seq = np.asarray(obs_seq)
        rewards = np.asarray(rewards, dtype=np.float64).reshape(-1)
        if len(obs_seq) != len(rewards):
            raise ValueError(
                f"obs_seq and rewards must have the same length, got {len(obs_seq)} and {len(rewards)}"
            )
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must be in [0, 1], got {gamma}")
        a = self._actions(actions, len(rewards))
        returns = discounted_returns(rewards, gamma, clip, bootstrap)
        if len(rewards) == 0:
            return returns
        keys = self.keys(obs_seq)
        for t in range(len(rewards) - 1, -1, -1):
            table, kb = self.tables[a[t]], keys[t].tobytes()
            entry = table.get(kb)
            if entry is None:
                table[kb] = [returns[t], keys[t]]
                if self.capacity is not None and len(table) > self.capacity:
                    table.popitem(last=False)  # evict the least recently used entry
                    self.evictions += 1
            else:
                entry[0] = max(entry[0], returns[t])
                table.move_to_end(kb)
            self._trees[a[t]] = None  # the kNN index is stale
        return returns

    # -- read -------------------------------------------------------------------------------------
    def lookup(self, obs, actions) -> tuple[np.ndarray, np.ndarray]:
        """``H(phi(s_b), a_b)`` for a batch: returns ``(values [B] float64, hit_mask [B] bool)``; misses hold 0."""
        obs = np.asarray(obs)
        keys = self.keys(obs)
        a = self._actions(actions, len(keys))
        values, hit = np.zeros(len(keys)), np.zeros(len(keys), dtype=bool)
        if self.lookup_kind == "exact":
            for b in range(len(keys)):
                table, kb = self.tables[a[b]], keys[b].tobytes()
                entry = table.get(kb)
                if entry is not None:
                    values[b], hit[b] = entry[0], True
                    table.move_to_end(kb)
        else:
            for act in np.unique(a):
                rows = np.flatnonzero(a == act)
                values[rows], hit[rows] = self._knn(int(act), keys[rows])
        self.lookups += len(keys)
        self.hits += int(hit.sum())
        return values, hit

    def _knn(self, act: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        table = self.tables[act]
        if not table:
            return np.zeros(len(keys)), np.zeros(len(keys), dtype=bool)
        if self._trees[act] is None:
            from scipy.spatial import cKDTree

            entries = list(table.values())
            self._trees[act] = (cKDTree(np.stack([e[1] for e in entries])), np.array([e[0] for e in entries]))
        tree, vals = self._trees[act]
        k = min(self.k, len(vals))
        dist, idx = tree.query(keys, k=k)
        dist, idx = dist.reshape(len(keys), k), idx.reshape(len(keys), k)
        hit = np.ones(len(keys), dtype=bool) if self.radius is None else dist[:, 0] <= self.radius
        return np.where(hit, vals[idx].mean(axis=1), 0.0), hit

    # -- inspection -------------------------------------------------------------------------------
    @property
    def hit_rate(self) -> float:
        """Fraction of looked-up samples that hit since the last :meth:`reset_counters` (NaN before any lookup)."""
        return self.hits / self.lookups if self.lookups else float("nan")

    def reset_counters(self) -> None:
        self.lookups = self.hits = 0

    @property
    def size(self) -> int:
        """Total entries over all actions."""
        return sum(len(t) for t in self.tables)

    def values_for(self, obs, action: int) -> float | None:
        """The stored value for one observation and action, or ``None`` (does not count as a lookup)."""
        entry = self.tables[int(action)].get(self.keys(np.asarray(obs)[None])[0].tobytes())
        return None if entry is None else float(entry[0])
