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

#: How an episode cut by a time limit is written: not at all, with a bootstrapped tail, or as if it ended.
TRUNCATION = ("skip", "bootstrap", "write")


class EMDQNAgent(DQNAgent):
    r"""DQN plus an :class:`EpisodicMemory` written at each episode end and read for every replayed sample.

    Args:
        q_net, n_actions, cfg, seed: as :class:`~paperlab.rl.dqn.DQNAgent`.
        memory: the episodic memory (its projection seed is independent of ``seed``).
        lam: weight of the memory term (paper: 0.1). ``lam=0`` trains exactly like DQN.
        clip: reward clipping applied in the Monte-Carlo return (paper: [-1, 1]).
        kind: ``"huber"`` (official code) or ``"mse"`` (paper's equation).
        truncation: what to do with an episode cut by a time limit (``traj.truncated`` and not
            ``traj.terminated``): its Monte-Carlo returns are not returns of the episode's policy, since the
            episode did not end. ``"skip"`` (default) writes nothing; ``"bootstrap"`` writes it with the tail
            value :math:`R_T = \max_a Q^-(s_T, a)` from the target network; ``"write"`` writes it as if it had
            ended (:math:`R_T = 0`, the old behaviour, kept to show the failure it causes).
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
        truncation: str = "skip",
    ) -> None:
        super().__init__(q_net, n_actions, cfg or DQNConfig(), seed)
        if lam < 0:
            raise ValueError(f"lam must be >= 0, got {lam}")
        if truncation not in TRUNCATION:
            raise ValueError(f"truncation must be one of {', '.join(TRUNCATION)}, got {truncation!r}")
        self.memory, self.lam, self.clip, self.kind = memory, float(lam), clip, kind
        self.truncation = truncation
        self.skipped_episodes = 0

    def tail_value(self, final_obs) -> float:
        r""":math:`\max_a Q^-(s_T, a)` of the state where a truncated episode was cut (target network)."""
        with torch.no_grad():
            return float(self.target(torch.as_tensor(final_obs, dtype=torch.float32)[None]).max())

    def on_episode_end(self, traj: Trajectory) -> None:
        """Write the finished episode into the memory (backward max-return pass), handling time-limit cuts."""
        tail = 0.0
        if traj.truncated and not traj.terminated:
            if self.truncation == "skip":
                self.skipped_episodes += 1
                return
            if self.truncation == "bootstrap":
                tail = self.tail_value(traj.final_obs)
        self.memory.write_episode(traj.obs, traj.actions, traj.rewards, self.cfg.gamma, self.clip, tail)

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
    truncation: str = "skip",
    **memory_kw,
) -> DQNAgent:
    """``"dqn"`` or ``"emdqn"`` with the same seeded Q-network for ``env`` (torch's global seed must be set
    first, e.g. by ``seed_everything(seed)``); ``truncation`` goes to :class:`EMDQNAgent`, ``memory_kw`` to
    :class:`EpisodicMemory`."""
    from paperlab.rl.networks import build_q_network

    if method not in ("dqn", "emdqn"):
        raise ValueError(f"method must be 'dqn' or 'emdqn', got {method!r}")
    net = build_q_network(env.observation_space, env.action_space, hidden=hidden)
    n, dqn_cfg = int(env.action_space.n), dqn_cfg or DQNConfig()
    if method == "dqn":
        return DQNAgent(net, n, dqn_cfg, seed)
    in_dim = int(torch.Size(env.observation_space.shape).numel())
    return EMDQNAgent(net, n, EpisodicMemory(n, in_dim, **memory_kw), dqn_cfg, seed, lam=lam, truncation=truncation)
