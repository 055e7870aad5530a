"""DRDRL and C51 agents for :func:`paperlab.rl.loop.train` (``act``, ``greedy``, ``update``, ``sync_target``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from paperlab.drdrl.loss import drdrl_loss
from paperlab.drdrl.model import DRDRLNet
from paperlab.drdrl.ops import sub_supports


@dataclass(frozen=True)
class AgentConfig:
    r"""Learner settings. The full support is ``[vmin, vmax]`` with ``n_channels*(n_atoms_sub-1)+1`` atoms.

    ``ema_decay`` in [0, 1): 0 evaluates the online network; d > 0 evaluates a Polyak (exponential moving) average of
    the online weights, :math:`\bar\theta \leftarrow d\,\bar\theta + (1-d)\,\theta` after every gradient step
    (an averaging window of about :math:`1/(1-d)` steps). Exploration always acts with the online network.
    """

    n_channels: int = 2
    n_atoms_sub: int = 26
    vmin: float = 0.0
    vmax: float = 5.0
    gamma: float = 0.9
    lr: float = 1e-3
    lam: float = 0.01
    kind: str = "js"
    hidden: tuple[int, ...] = (64, 64)
    channel_embedding: bool = False
    ema_decay: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.ema_decay, bool) or not isinstance(self.ema_decay, (int, float)):
            raise TypeError(f"ema_decay must be a float, got {type(self.ema_decay).__name__}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}")


def c51_config(cfg: AgentConfig) -> AgentConfig:
    """The C51 special case: one channel with the same total atoms, no regulariser."""
    m = cfg.n_channels * (cfg.n_atoms_sub - 1) + 1
    return replace(cfg, n_channels=1, n_atoms_sub=m, lam=0.0)


class DRDRLAgent:
    """Greedy on the mean of the full distribution; epsilon draws come from its own generator.

    ``net`` is the online network (trained, and used to explore in ``act``); ``policy_net`` is what is evaluated
    (``greedy``, the decomposition score, the read-out): the Polyak average of ``net`` when ``cfg.ema_decay > 0``,
    else ``net`` itself.
    """

    def __init__(self, obs_dim: int, n_actions: int, cfg: AgentConfig, seed: int) -> None:
        torch.manual_seed(seed)
        self.cfg, self.n_actions = cfg, n_actions
        self.rng = np.random.default_rng(seed)
        self.sub_support, self.full_support = sub_supports(
            cfg.vmin, cfg.vmax, cfg.n_channels, cfg.n_atoms_sub
        )
        self.net = DRDRLNet(obs_dim, n_actions, cfg.n_channels, cfg.n_atoms_sub, cfg.hidden, cfg.channel_embedding)
        self.target = copy.deepcopy(self.net)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=cfg.lr)
        self.averaged = (
            AveragedModel(self.net, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
            if cfg.ema_decay > 0
            else None
        )

    @property
    def policy_net(self) -> DRDRLNet:
        """The evaluated network: the Polyak average when ``cfg.ema_decay > 0``, else the online network."""
        return self.net if self.averaged is None else self.averaged.module

    @torch.no_grad()
    def _greedy_on(self, net: DRDRLNet, obs: np.ndarray) -> int:
        q = net.q_values(torch.as_tensor(obs, dtype=torch.float32)[None], self.full_support)
        return int(q.argmax(-1))

    def greedy(self, obs: np.ndarray) -> int:
        """The evaluated policy: greedy on ``policy_net``."""
        return self._greedy_on(self.policy_net, obs)

    def act(self, obs: np.ndarray, eps: float) -> int:
        """Exploration: epsilon-greedy on the online network."""
        if self.rng.random() < eps:
            return int(self.rng.integers(self.n_actions))
        return self._greedy_on(self.net, obs)

    def update(self, batch) -> dict[str, float]:
        loss, logs = drdrl_loss(
            self.net,
            self.target,
            batch,
            self.sub_support,
            self.full_support,
            self.cfg.gamma,
            self.cfg.lam,
            self.cfg.kind,
        )
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        if self.averaged is not None:
            self.averaged.update_parameters(self.net)
        return logs

    def sync_target(self) -> None:
        self.target.load_state_dict(self.net.state_dict())

    def on_episode_end(self, traj) -> None:
        """No episodic memory in DRDRL."""
