"""The EMDQN agent: a DQN agent whose loss adds lambda (Q - H)^2-style regularisation towards its memory.

Acting uses Q only (unlike MFEC/NEC, the memory is never consulted at acting time).
"""

from __future__ import annotations

import torch
from torch import nn

from paperlab.emdqn.loss import emdqn_loss
from paperlab.emdqn.memory import EpisodicMemory
from paperlab.rl.dqn import DQNAgent, DQNConfig
from paperlab.rl.replay import Batch, Trajectory


class EMDQNAgent(DQNAgent):
    """DQN plus an :class:`EpisodicMemory` written at each episode end and read for every replayed sample.

    Args:
        q_net, n_actions, cfg, seed: as :class:`~paperlab.rl.dqn.DQNAgent`.
        memory: the episodic memory (its projection seed is independent of ``seed``).
        lam: weight of the memory term (paper: 0.1). ``lam=0`` trains exactly like DQN.
        clip: reward clipping applied in the Monte-Carlo return (paper: [-1, 1]).
        kind: ``"huber"`` (official code) or ``"mse"`` (paper's equation).
    """

    def __init__(
        self,
        q_net: nn.Module,
        n_actions: int,
        memory: EpisodicMemory,
        cfg: DQNConfig | None = None,
        seed: int = 0,
        lam: float = 0.1,
        clip: tuple[float, float] | None = (-1.0, 1.0),
        kind: str = "huber",
    ) -> None:
        super().__init__(q_net, n_actions, cfg or DQNConfig(), seed)
        if lam < 0:
            raise ValueError(f"lam must be >= 0, got {lam}")
        self.memory, self.lam, self.clip, self.kind = memory, float(lam), clip, kind

    def on_episode_end(self, traj: Trajectory) -> None:
        """Write the finished episode into the memory (backward max-return pass)."""
        self.memory.write_episode(traj.obs, traj.actions, traj.rewards, self.cfg.gamma, self.clip)

    def loss(self, q_sa: torch.Tensor, target: torch.Tensor, batch: Batch):
        values, hit = self.memory.lookup(batch.obs.numpy(), batch.action.numpy())
        H = torch.from_numpy(values).to(q_sa.dtype)
        return emdqn_loss(q_sa, target, H, torch.from_numpy(hit), self.lam, self.kind)


def make_agent(
    method: str,
    env,
    seed: int,
    dqn_cfg: DQNConfig | None = None,
    hidden: tuple[int, ...] = (64, 64),
    lam: float = 0.1,
    **memory_kw,
) -> DQNAgent:
    """``"dqn"`` or ``"emdqn"`` with the same seeded Q-network for ``env`` (torch's global seed must be set
    first, e.g. by ``seed_everything(seed)``); ``memory_kw`` go to :class:`EpisodicMemory`."""
    from paperlab.rl.networks import build_q_network

    if method not in ("dqn", "emdqn"):
        raise ValueError(f"method must be 'dqn' or 'emdqn', got {method!r}")
    net = build_q_network(env.observation_space, env.action_space, hidden=hidden)
    n, dqn_cfg = int(env.action_space.n), dqn_cfg or DQNConfig()
    if method == "dqn":
        return DQNAgent(net, n, dqn_cfg, seed)
    in_dim = int(torch.Size(env.observation_space.shape).numel())
    return EMDQNAgent(net, n, EpisodicMemory(n, in_dim, **memory_kw), dqn_cfg, seed, lam=lam)
