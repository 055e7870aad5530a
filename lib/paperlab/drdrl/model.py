r"""The multi-channel network: a shared torso and one categorical head per channel.

Channel i's head maps the shared feature :math:`h(s)` to ``|A| x K`` logits, its own softmax gives
:math:`p_i(s, a)`; ``forward`` returns the sub-distributions ``[B, N, A, K]`` whose convolution is the full return
distribution. With ``channel_embedding=True`` channel i first sees :math:`h(s) \odot \sigma(W e_i)` (the paper's
one-hot channel embedding, ``e_i`` one-hot), still through its own head. N = 1 is a C51 network.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from paperlab.drdrl.ops import convolve_categoricals
from paperlab.rl.networks import mlp


class DRDRLNet(nn.Module):
    """``obs [B, obs_dim]`` -> sub-distribution probabilities ``[B, N, A, K]`` (N = 1: a C51 network).

    ``heads[i]`` is channel i's ``Linear(H, A*K)``; no parameter is shared between heads.
    """

    def __init__(
        self,
        obs_dim: int,
        n_actions: int,
        n_channels: int,
        n_atoms_sub: int,
        hidden: Sequence[int] = (64, 64),
        channel_embedding: bool = False,
    ):
        super().__init__()
        if n_channels < 1 or n_atoms_sub < 2 or n_actions < 1:
            raise ValueError(
                f"need n_channels >= 1, n_atoms_sub >= 2, n_actions >= 1, got {n_channels}, {n_atoms_sub}, {n_actions}"
            )
        self.n_actions, self.n_channels, self.n_atoms_sub = n_actions, n_channels, n_atoms_sub
        self.torso = nn.Sequential(mlp(obs_dim, hidden[-1], hidden[:-1]), nn.ReLU())
        self.gate = nn.Linear(n_channels, hidden[-1]) if channel_embedding else None  # W e_i = column i (+ bias)
        self.heads = nn.ModuleList(nn.Linear(hidden[-1], n_actions * n_atoms_sub) for _ in range(n_channels))

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        """Per-channel logits ``[B, N, A, K]``."""
        h = self.torso(obs)  # [B, H]
        if self.gate is None:
            feats = [h] * self.n_channels
        else:
            g = torch.sigmoid(self.gate(torch.eye(self.n_channels)))  # [N, H]
            feats = [h * g[i] for i in range(self.n_channels)]
        out = torch.stack([head(f) for head, f in zip(self.heads, feats, strict=True)], 1)
        return out.reshape(obs.shape[0], self.n_channels, self.n_actions, self.n_atoms_sub)

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
