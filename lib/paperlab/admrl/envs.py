"""gymnasium environments of the AdMRL task families, registered under ``paperlab/``.

| id | what | obs | time limit |
|---|---|---|---|
| ``paperlab/PointMassGoal-v0`` | 2-D point mass, goal psi in [-2, 2]^2 (``wind=2.0`` kwarg: the wind family) | (p, v) in R^4 | 40 |
| ``paperlab/PendulumTarget-v0`` | ``Pendulum-v1`` rewarded for a target angle psi (:class:`PsiRewardWrapper`) | (cos, sin, omega) | 200 |

The reward of each is the family's torch reward on the same transition (tested). ``make_goal_velocity`` builds the
paper-budget MuJoCo goal-velocity task and needs the optional extra (``pip install "paperlab[mujoco]"``).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from gymnasium.envs.registration import registry

from paperlab.admrl.tasks import PendulumTargetFamily, PointMassFamily

MUJOCO_HINT = 'MuJoCo tasks need the optional extra: pip install "paperlab[mujoco]"'


def _t(x) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


class PointMassGoalEnv(gym.Env):
    """The (wind) point mass as a gymnasium env; ``set_task(psi)`` changes the goal; actions clipped to [-3, 3]."""

    metadata = {"render_modes": []}

    def __init__(self, psi=(0.6, 0.6), wind: float = 0.0) -> None:
        self.family = PointMassFamily(wind)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float64)
        self.action_space = gym.spaces.Box(-3.0, 3.0, (2,), np.float64)
        self.set_task(psi)
        self.state = np.zeros(4)

    def set_task(self, psi) -> None:
        self.psi = self.family.box.check(psi).numpy()

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.state = 0.1 * self.np_random.standard_normal(4)
        return self.state.copy(), {"psi": self.psi.copy()}

    def step(self, action):
        a = np.clip(np.asarray(action, dtype=np.float64), -3.0, 3.0)
        s = _t(self.state)
        r = float(self.family.reward(s, _t(a), _t(self.psi)))
        self.state = self.family.step(s, _t(a)).numpy()
        return self.state.copy(), r, False, False, {"psi": self.psi.copy()}


class PsiRewardWrapper(gym.Wrapper):
    """Replace an env's reward by ``family.reward(state, action, psi)`` on the pre-step state (``Pendulum-v1`` here)."""

    def __init__(self, env: gym.Env, family, psi) -> None:
        super().__init__(env)
        self.family = family
        self.set_task(psi)

    def set_task(self, psi) -> None:
        self.psi = self.family.box.check(np.atleast_1d(np.asarray(psi, dtype=np.float64))).numpy()

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        return obs, {**info, "psi": self.psi.copy()}

    def step(self, action):
        s = _t(self.env.unwrapped.state)
        obs, _, term, trunc, info = self.env.step(action)
        r = float(self.family.reward(s, _t(np.asarray(action, dtype=np.float64)), _t(self.psi)))
        return obs, r, term, trunc, {**info, "psi": self.psi.copy()}


def _pendulum_target(psi=(0.0,)) -> gym.Env:
    from gymnasium.envs.classic_control.pendulum import PendulumEnv

    return PsiRewardWrapper(PendulumEnv(), PendulumTargetFamily(), psi)


def register_envs() -> None:
    """Register the ids above (idempotent)."""
    if "paperlab/PointMassGoal-v0" not in registry:
        gym.register("paperlab/PointMassGoal-v0", entry_point=PointMassGoalEnv, max_episode_steps=40)
    if "paperlab/PendulumTarget-v0" not in registry:
        gym.register("paperlab/PendulumTarget-v0", entry_point=_pendulum_target, max_episode_steps=200)


def make_goal_velocity(psi: float, env_id: str = "HalfCheetah-v5") -> gym.Env:
    """Paper budget: ``HalfCheetah-v5`` with ``forward_reward_weight=0`` plus ``-|v_x - psi|`` (needs the mujoco extra)."""
    try:
        import mujoco  # noqa: F401
    except ImportError as e:
        raise ImportError(MUJOCO_HINT) from e

    class GoalVelocity(gym.Wrapper):
        def step(self, action):
            obs, r, term, trunc, info = self.env.step(action)
            return obs, r - abs(info["x_velocity"] - psi), term, trunc, {**info, "psi": psi}

    return GoalVelocity(gym.make(env_id, forward_reward_weight=0.0))


register_envs()
