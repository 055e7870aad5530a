"""DQN (Mnih et al. 2015): TD targets, the Huber loss, and an agent with an online and a target network.

Subclasses change the objective by overriding :meth:`DQNAgent.loss` (EMDQN adds a memory term).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from paperlab.rl.replay import Batch, Trajectory


def td_target(
    q_next_target: torch.Tensor,
    rewards: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float | torch.Tensor,
    q_next_online: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""One-step target :math:`S = r + \gamma (1 - \text{terminated}) \max_{a'} Q^-(s', a')`.

    ``q_next_target`` is ``[B, A]``. With ``q_next_online`` (double DQN) the action is
    :math:`\arg\max_{a'} Q(s', a')` and its value is read from the target network. Only
    ``terminated`` masks the bootstrap: a truncated (time-limit) transition still bootstraps.
    ``gamma`` may be a ``[B]`` tensor (n-step samples).
    """
    if q_next_target.dim() != 2:
        raise ValueError(f"q_next_target must be [B, A], got shape {tuple(q_next_target.shape)}")
    if rewards.shape != q_next_target.shape[:1] or terminated.shape != rewards.shape:
        raise ValueError(
            f"rewards and terminated must be [B]={tuple(q_next_target.shape[:1])}, got {tuple(rewards.shape)}, {tuple(terminated.shape)}"
        )
    if q_next_online is None:
        v_next = q_next_target.max(dim=1).values
    else:
        a_star = q_next_online.argmax(dim=1, keepdim=True)
        v_next = q_next_target.gather(1, a_star).squeeze(1)
    return rewards + gamma * (1.0 - terminated.float()) * v_next


def huber(x: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    r"""Elementwise Huber: :math:`x^2/2` for :math:`|x|\le\delta`, else :math:`\delta(|x| - \delta/2)`."""
    return F.huber_loss(x, torch.zeros_like(x), reduction="none", delta=delta)


@dataclass(frozen=True)
class DQNConfig:
    """Optimisation settings of a DQN agent (the loop's step counts live in ``LoopConfig``)."""

    gamma: float = 0.99
    lr: float = 1e-3
    adam_eps: float = 1e-8
    grad_clip: float | None = 10.0
    double: bool = False


class DQNAgent:
    """Epsilon-greedy DQN with a target network.

    Args:
        q_net: maps ``[B, *obs_shape]`` float observations to ``[B, n_actions]``.
        n_actions: size of the discrete action space.
        cfg: :class:`DQNConfig`.
        seed: seeds the agent's own generator for epsilon-greedy draws (nothing else uses it).
    """

    def __init__(self, q_net: nn.Module, n_actions: int, cfg: DQNConfig = DQNConfig(), seed: int = 0) -> None:
        if n_actions < 1:
            raise ValueError(f"n_actions must be positive, got {n_actions}")
        self.q = q_net
        self.target = copy.deepcopy(q_net).requires_grad_(False)
        self.n_actions = int(n_actions)
        self.cfg = cfg
        self.rng = np.random.default_rng(seed)
        self.opt = torch.optim.Adam(self.q.parameters(), lr=cfg.lr, eps=cfg.adam_eps)

    @torch.no_grad()
    def q_values(self, obs: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Online Q-values ``[B, A]`` for a batch ``[B, *obs_shape]``."""
        return self.q(torch.as_tensor(obs, dtype=torch.float32))

    def act(self, obs: np.ndarray, eps: float = 0.0) -> int:
        """Epsilon-greedy action for one observation (ties break to the lowest index)."""
        if self.rng.random() < eps:
            return int(self.rng.integers(self.n_actions))
        return int(self.q_values(obs[None]).argmax(dim=1).item())

    def greedy(self, obs: np.ndarray) -> int:
        return self.act(obs, 0.0)

    def sync_target(self) -> None:
        """:math:`\\theta^- \\leftarrow \\theta`."""
        self.target.load_state_dict(self.q.state_dict())

    def on_episode_end(self, traj: Trajectory) -> None:
        """Hook for agents that learn from whole episodes (EMDQN writes its memory here)."""

    def loss(
        self, q_sa: torch.Tensor, target: torch.Tensor, batch: Batch
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """Mean Huber TD loss; returns ``(loss, logs)``."""
        loss = huber(q_sa - target).mean()
        return loss, {"td": float(loss.detach())}

    def update(self, batch: Batch) -> dict[str, float]:
        """One gradient step on a minibatch; returns the logged scalars."""
        obs = batch.obs.float()
        q_sa = self.q(obs).gather(1, batch.action.long().view(-1, 1)).squeeze(1)
        with torch.no_grad():
            nxt = batch.next_obs.float()
            online = self.q(nxt) if self.cfg.double else None
            gamma = self.cfg.gamma if batch.gamma_n is None else batch.gamma_n
            target = td_target(self.target(nxt), batch.reward, batch.terminated, gamma, online)
        loss, logs = self.loss(q_sa, target, batch)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.cfg.grad_clip is not None:
            nn.utils.clip_grad_norm_(self.q.parameters(), self.cfg.grad_clip)
        self.opt.step()
        logs["loss"] = float(loss.detach())
        return logs
