"""CoinsGems: a 5x5 grid whose reward is the sum of known channels, with exact ground truth.

Items (default: coin (0,2) value 1 -> channel 0, gem (4,2) value 2 -> channel 1, optional key (2,0)
value 1.5 -> channel 2) are consumed on the first visit and pay their value with probability ``p_i``
(1 = deterministic). The episode terminates when every item is consumed (TimeLimit 20 otherwise).
Observation: one-hot position (25) + consumed flags (N), float32. ``info["reward_channels"]`` holds the
true per-channel rewards; ``reward == sum(reward_channels)``.

| id | payout probabilities | channels |
|---|---|---|
| ``paperlab/CoinsGems-v0`` | (1, 1) deterministic | 2 |
| ``paperlab/CoinsGemsStochastic-v0`` | (0.5, 0.5) | 2 |
| ``paperlab/CoinsGems3-v0`` | (0.5, 0.5, 0.5) | 3 |
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import registry

from paperlab.rl.tabular import TabularModel

SIZE = 5
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left
TWO_ITEMS = (((0, 2), 1.0), ((4, 2), 2.0))
THREE_ITEMS = (*TWO_ITEMS, ((2, 0), 1.5))
HORIZON = 20


class CoinsGems(gym.Env):
    """Multi-channel grid world (see the module docstring). ``items``: ((row, col), value) per channel."""

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        items: Sequence[tuple[tuple[int, int], float]] = TWO_ITEMS,
        payout_probs: Sequence[float] | None = None,
        render_mode: str | None = None,
    ) -> None:
        self.items = tuple((tuple(int(c) for c in pos), float(v)) for pos, v in items)
        n = len(self.items)
        cells = [pos for pos, _ in self.items]
        if n < 1 or len(set(cells)) != n or any(not (0 <= r < SIZE and 0 <= c < SIZE) for r, c in cells):
            raise ValueError("items must be distinct in-grid cells, at least one")
        probs = (1.0,) * n if payout_probs is None else tuple(float(p) for p in payout_probs)
        if len(probs) != n or any(not 0 <= p <= 1 for p in probs):
            raise ValueError(f"payout_probs must hold {n} probabilities in [0, 1], got {payout_probs!r}")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}"
            )
        self.payout_probs, self.n_channels, self.render_mode = probs, n, render_mode
        self.observation_space = gym.spaces.Box(0.0, 1.0, (SIZE * SIZE + n,), np.float32)
        self.action_space = gym.spaces.Discrete(4)
        self._item_at = {pos: i for i, (pos, _) in enumerate(self.items)}
        self._starts = [(r, c) for r in range(SIZE) for c in range(SIZE) if (r, c) not in self._item_at]
        self.pos, self.flags = self._starts[0], np.zeros(n, bool)

    def _obs(self) -> np.ndarray:
        return self.encode(self.pos, self.flags)

    def encode(self, pos: tuple[int, int], flags: np.ndarray) -> np.ndarray:
        o = np.zeros(self.observation_space.shape, np.float32)
        o[pos[0] * SIZE + pos[1]] = 1.0
        o[SIZE * SIZE :] = np.asarray(flags, np.float32)
        return o

    @staticmethod
    def _move(pos: tuple[int, int], action: int) -> tuple[int, int]:
        dr, dc = MOVES[int(action)]
        return min(max(pos[0] + dr, 0), SIZE - 1), min(max(pos[1] + dc, 0), SIZE - 1)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.pos = self._starts[int(self.np_random.integers(len(self._starts)))]
        self.flags = np.zeros(self.n_channels, bool)
        return self._obs(), {"reward_channels": np.zeros(self.n_channels, np.float32)}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in Discrete(4), got {action!r}")
        self.pos = self._move(self.pos, action)
        channels = np.zeros(self.n_channels, np.float32)
        i = self._item_at.get(self.pos)
        if i is not None and not self.flags[i]:
            self.flags[i] = True
            if self.np_random.random() < self.payout_probs[i]:
                channels[i] = self.items[i][1]
        terminated = bool(self.flags.all())
        return self._obs(), float(channels.sum()), terminated, False, {"reward_channels": channels}

    def render(self):
        grid = [["." for _ in range(SIZE)] for _ in range(SIZE)]
        for i, ((r, c), _) in enumerate(self.items):
            grid[r][c] = "_" if self.flags[i] else "CGK"[i] if i < 3 else str(i)
        grid[self.pos[0]][self.pos[1]] = "A"
        if self.render_mode == "rgb_array":
            img = np.zeros((SIZE * 8, SIZE * 8, 3), np.uint8)
            colour = {".": (30, 30, 30), "_": (80, 80, 80), "A": (240, 240, 240)}
            for r in range(SIZE):
                for c in range(SIZE):
                    img[r * 8 : r * 8 + 8, c * 8 : c * 8 + 8] = colour.get(grid[r][c], (230, 180, 40))
            return img
        return "\n".join("".join(row) for row in grid)

    # ----- exact model ------------------------------------------------------------------------------
    def state_index(self, pos: tuple[int, int], flags: np.ndarray) -> int:
        """State id ``(row*5 + col) * 2^N + sum_i flags_i 2^i``."""
        return (pos[0] * SIZE + pos[1]) * 2**self.n_channels + int(
            np.dot(np.asarray(flags, int), 2 ** np.arange(self.n_channels))
        )

    def decode(self, s: int) -> tuple[tuple[int, int], np.ndarray]:
        cell, f = divmod(int(s), 2**self.n_channels)
        return divmod(cell, SIZE), np.array([(f >> i) & 1 for i in range(self.n_channels)], bool)

    def tabular_model(self) -> TabularModel:
        """Exact ``P [S, A, S']``, expected per-channel reward ``R [S, A, N]``, terminal and start distribution.

        States where the agent stands on an item it has not consumed cannot occur; they are kept (never reached).
        The time limit is not part of the model (values bootstrap through truncation).
        """
        n, S = self.n_channels, SIZE * SIZE * 2**self.n_channels
        P, R = np.zeros((S, 4, S)), np.zeros((S, 4, n))
        terminal, start = np.zeros(S, bool), np.zeros(S)
        for s in range(S):
            pos, flags = self.decode(s)
            terminal[s] = flags.all()
            for a in range(4):
                nxt, f2 = self._move(pos, a), flags.copy()
                i = self._item_at.get(nxt)
                if i is not None and not f2[i]:
                    f2[i] = True
                    R[s, a, i] = self.payout_probs[i] * self.items[i][1]
                P[s, a, self.state_index(nxt, f2)] = 1.0
        for pos in self._starts:
            start[self.state_index(pos, np.zeros(n, bool))] = 1.0 / len(self._starts)
        return TabularModel(
            P,
            R,
            terminal,
            start,
            lambda o: self.state_index(
                divmod(int(np.argmax(o[: SIZE * SIZE])), SIZE), np.asarray(o[SIZE * SIZE :]) > 0.5
            ),
            lambda s: self.encode(*self.decode(s)),
        )


IDS = {
    "paperlab/CoinsGems-v0": {"items": TWO_ITEMS, "payout_probs": (1.0, 1.0)},
    "paperlab/CoinsGemsStochastic-v0": {"items": TWO_ITEMS, "payout_probs": (0.5, 0.5)},
    "paperlab/CoinsGems3-v0": {"items": THREE_ITEMS, "payout_probs": (0.5, 0.5, 0.5)},
}


def register_envs() -> None:
    """Register the CoinsGems ids (idempotent: ids already in the registry are skipped)."""
    for env_id, kw in IDS.items():
        if env_id not in registry:
            gym.register(
                id=env_id, entry_point="paperlab.drdrl.envs:CoinsGems", max_episode_steps=HORIZON, kwargs=kw
            )


def reachable(model: TabularModel) -> np.ndarray:
    """``[S]`` bool: states reachable from the start distribution under some action sequence."""
    seen = model.start_dist > 0
    frontier = seen.copy()
    while frontier.any():
        nxt = (model.P[frontier].sum(axis=(0, 1)) > 0) & ~seen
        seen |= nxt
        frontier = nxt & ~model.terminal
    return seen


register_envs()
