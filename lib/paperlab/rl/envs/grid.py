"""``SparseGoalGrid``: a deterministic grid where only reaching the far corner pays.

The agent starts at ``start`` (row, col), pays ``step_cost`` on every step (the goal step included)
and receives ``goal_reward`` on entering ``goal``, which terminates the episode. On the default 8x8
grid the shortest path has 14 steps, so the optimal return is ``1 - 14 * 0.01 = 0.86``; with the
registered 60-step time limit a run that never finds the goal returns ``-0.6``.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paperlab.rl.tabular import TabularModel

# action -> (d_row, d_col): 0 up, 1 right, 2 down, 3 left
MOVES = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)])


class SparseGoalGrid(gym.Env):
    """Deterministic ``size x size`` grid, one-hot observation ``Box(0, 1, (size*size,), float32)``, 4 actions.

    ``info["reward_channels"]`` is ``[goal, step cost]`` (float32), summing to the reward.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        size: int = 8,
        start: tuple[int, int] = (0, 7),
        goal: tuple[int, int] = (7, 0),
        step_cost: float = 0.01,
        goal_reward: float = 1.0,
        render_mode: str | None = None,
    ) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            raise ValueError(f"size must be an int >= 2, got {size!r}")
        for name, cell in (("start", start), ("goal", goal)):
            if len(cell) != 2 or not all(0 <= c < size for c in cell):
                raise ValueError(f"{name} must be a (row, col) inside the {size}x{size} grid, got {cell!r}")
        if tuple(start) == tuple(goal):
            raise ValueError("start and goal must differ")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}"
            )
        self.size, self.start, self.goal = size, tuple(start), tuple(goal)
        self.step_cost, self.goal_reward = float(step_cost), float(goal_reward)
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0.0, 1.0, (size * size,), np.float32)
        self.action_space = spaces.Discrete(4)
        self.pos = self.start

    def _obs(self) -> np.ndarray:
        obs = np.zeros(self.size * self.size, dtype=np.float32)
        obs[self.pos[0] * self.size + self.pos[1]] = 1.0
        return obs

    def _move(self, pos: tuple[int, int], action: int) -> tuple[int, int]:
        r, c = np.clip(np.array(pos) + MOVES[action], 0, self.size - 1)  # walls: stay in place
        return int(r), int(c)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.pos = self.start
        return self._obs(), {"reward_channels": np.zeros(2, dtype=np.float32)}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {{0, 1, 2, 3}}, got {action!r}")
        self.pos = self._move(self.pos, int(action))
        at_goal = self.pos == self.goal
        channels = np.array([self.goal_reward if at_goal else 0.0, -self.step_cost], dtype=np.float32)
        return self._obs(), float(channels.sum()), at_goal, False, {"reward_channels": channels}

    def render(self):
        if self.render_mode == "ansi":
            rows = []
            for r in range(self.size):
                row = ""
                for c in range(self.size):
                    row += (
                        "A"
                        if (r, c) == self.pos
                        else "G"
                        if (r, c) == self.goal
                        else "S"
                        if (r, c) == self.start
                        else "."
                    )
                rows.append(row)
            return "\n".join(rows) + "\n"
        if self.render_mode == "rgb_array":
            img = np.full((self.size, self.size, 3), 230, dtype=np.uint8)
            img[self.goal] = (40, 160, 60)
            img[self.pos] = (30, 90, 200)
            return np.kron(img, np.ones((8, 8, 1), dtype=np.uint8))
        return None

    def tabular_model(self) -> TabularModel:
        """Exact ``P [S, A, S']``, ``R [S, A, 2]`` (goal, step cost), terminal mask and start distribution."""
        S, n = self.size * self.size, self.size
        P, R = np.zeros((S, 4, S)), np.zeros((S, 4, 2))
        terminal = np.zeros(S, dtype=bool)
        terminal[self.goal[0] * n + self.goal[1]] = True
        for s in range(S):
            for a in range(4):
                r2, c2 = self._move((s // n, s % n), a)
                s2 = r2 * n + c2
                P[s, a, s2] = 1.0
                R[s, a] = (self.goal_reward if (r2, c2) == self.goal else 0.0, -self.step_cost)
        start = np.zeros(S)
        start[self.start[0] * n + self.start[1]] = 1.0
        eye = np.eye(S, dtype=np.float32)
        return TabularModel(P, R, terminal, start, lambda o: int(np.argmax(o)), lambda s: eye[s].copy())
