r"""The multi-channel network: a shared torso, a per-channel gate, one shared categorical head.

Channel i's feature is :math:`h(s) \odot \sigma(W e_i)` (``e_i`` one-hot); the head maps it to ``|A| x K`` logits,
so ``forward`` returns sub-distributions ``[B, N, A, K]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from paperlab.drdrl.ops import convolve_categoricals
from paperlab.rl.networks import mlp


class DRDRLNet(nn.Module):
    """``obs [B, obs_dim]`` -> sub-distribution probabilities ``[B, N, A, K]`` (N = 1: a C51 network)."""

    def __init__(
        self,
        obs_dim: int,
        n_actions: int,
        n_channels: int,
        n_atoms_sub: int,
        hidden: Sequence[int] = (64, 64),
    ):
        super().__init__()
        if n_channels < 1 or n_atoms_sub < 2 or n_actions < 1:
            raise ValueError(
                f"need n_channels >= 1, n_atoms_sub >= 2, n_actions >= 1, got {n_channels}, {n_atoms_sub}, {n_actions}"
            )
        self.n_actions, self.n_channels, self.n_atoms_sub = n_actions, n_channels, n_atoms_sub
        self.torso = nn.Sequential(mlp(obs_dim, hidden[-1], hidden[:-1]), nn.ReLU())
        self.gate = nn.Linear(n_channels, hidden[-1])  # W e_i is column i of the weight (+ bias)
        self.head = nn.Linear(hidden[-1], n_actions * n_atoms_sub)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        h = self.torso(obs)  # [B, H]
        g = torch.sigmoid(self.gate(torch.eye(self.n_channels)))  # [N, H]
        feat = h[:, None, :] * g[None]  # [B, N, H]
        return self.head(feat).reshape(obs.shape[0], self.n_channels, self.n_actions, self.n_atoms_sub)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(obs), dim=-1)

    def full_probs(self, obs: torch.Tensor) -> torch.Tensor:
        """Full return distribution ``[B, A, N(K-1)+1]`` (convolution of the channels)."""
        return convolve_categoricals(self(obs))

    def q_values(self, obs: torch.Tensor, full_support: torch.Tensor) -> torch.Tensor:
        r""":math:`Q(s,a) = \sum_m z_m F(s,a)_m` -> ``[B, A]``."""
        return self.full_probs(obs) @ full_support

    def sub_q_values(self, obs: torch.Tensor, sub_support: torch.Tensor) -> torch.Tensor:
        r""":math:`Q_i(s,a) = \sum_k z^{(i)}_k p_i(s,a)_k` -> ``[B, N, A]``."""
        return (self(obs) * sub_support[None, :, None, :]).sum(-1)
