"""DRDRL and C51 agents for :func:`paperlab.rl.loop.train` (``act``, ``greedy``, ``update``, ``sync_target``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import torch

from paperlab.drdrl.loss import drdrl_loss
from paperlab.drdrl.model import DRDRLNet
from paperlab.drdrl.ops import sub_supports


@dataclass(frozen=True)
class AgentConfig:
    """Learner settings. The full support is ``[vmin, vmax]`` with ``n_channels*(n_atoms_sub-1)+1`` atoms."""

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


def c51_config(cfg: AgentConfig) -> AgentConfig:
    """The C51 special case: one channel with the same total atoms, no regulariser."""
    m = cfg.n_channels * (cfg.n_atoms_sub - 1) + 1
    return replace(cfg, n_channels=1, n_atoms_sub=m, lam=0.0)


class DRDRLAgent:
    """Greedy on the mean of the full distribution; epsilon draws come from its own generator."""

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

    @torch.no_grad()
    def greedy(self, obs: np.ndarray) -> int:
        q = self.net.q_values(torch.as_tensor(obs, dtype=torch.float32)[None], self.full_support)
        return int(q.argmax(-1))

    def act(self, obs: np.ndarray, eps: float) -> int:
        if self.rng.random() < eps:
            return int(self.rng.integers(self.n_actions))
        return self.greedy(obs)

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
        return logs

    def sync_target(self) -> None:
        self.target.load_state_dict(self.net.state_dict())

    def on_episode_end(self, traj) -> None:
        """No episodic memory in DRDRL."""
