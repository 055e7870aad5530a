"""The policy class shared by planner, oracle and evaluation: a (bounded) affine policy.

Parameters ``theta = vec(W)``, ``W = [K | k]`` of shape ``[m, f + 1]`` (row-major), so with features
``phi = [feat(s); 1]`` the pre-activation is ``W phi = K feat(s) + k``. The bounded version is
``a = b tanh(W phi / b)`` (equal to the affine policy near 0; the brief's 3 tanh(Ks + k) up to a rescaling of W).
"""

from __future__ import annotations

import torch


def n_params(family) -> int:
    return family.act_dim * (family.feat_dim + 1)


def act(theta: torch.Tensor, feat: torch.Tensor, bound: float | None) -> torch.Tensor:
    """Mean action for a batch of tasks: ``theta [T, p]``, ``feat [T, N, f]`` -> ``[T, N, m]``."""
    T, f = theta.shape[0], feat.shape[-1]
    W = theta.reshape(T, -1, f + 1)
    pre = torch.baddbmm(W[:, None, :, f], feat, W[..., :f].transpose(1, 2))
    return pre if bound is None else bound * torch.tanh(pre / bound)


def split(theta: torch.Tensor, m: int, f: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``theta [p] -> (K [m, f], k [m])``."""
    W = theta.reshape(m, f + 1)
    return W[:, :f], W[:, f]


def join(K: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return torch.cat([K, k[:, None]], 1).reshape(-1)
