"""Identifiability demo (no RL): fit N categoricals whose convolution matches a target distribution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from paperlab.drdrl.ops import convolve_categoricals


@dataclass(frozen=True)
class FitResult:
    """``sub_probs [inits, N, K]`` fitted channels; ``losses [inits]`` cross-entropy minus the target entropy (>= 0)."""

    sub_probs: np.ndarray
    losses: np.ndarray

    def means(self) -> np.ndarray:
        """Mean of each fitted channel on atoms 0..K-1: ``[inits, N]``."""
        return self.sub_probs @ np.arange(self.sub_probs.shape[2])


def bernoulli_sum(probs: tuple[float, ...], values: tuple[int, ...], n_atoms: int) -> np.ndarray:
    """Distribution on atoms 0..n_atoms-1 of a sum of independent Bernoulli(p_i) * value_i (integer values)."""
    out = np.zeros(n_atoms)
    out[0] = 1.0
    for p, v in zip(probs, values, strict=True):
        step = np.zeros(v + 1)
        step[0], step[v] = 1 - p, step[v] + p
        out = np.convolve(out, step)[:n_atoms]
    return out


def fit_split(
    target: np.ndarray,
    n_channels: int,
    n_atoms_sub: int,
    inits: int = 10,
    steps: int = 400,
    lr: float = 0.1,
    seed: int = 0,
) -> FitResult:
    r"""Minimise :math:`-\sum_m t_m \log (p_1 * \dots * p_N)_m` from ``inits`` random logit initialisations (Adam).

    ``target`` must have ``n_channels*(n_atoms_sub-1)+1`` entries summing to 1.
    """
    t = torch.as_tensor(np.asarray(target, float), dtype=torch.float32)
    if t.ndim != 1 or t.numel() != n_channels * (n_atoms_sub - 1) + 1:
        raise ValueError(
            f"target must have n_channels*(n_atoms_sub-1)+1 = {n_channels * (n_atoms_sub - 1) + 1} atoms, got {tuple(t.shape)}"
        )
    if abs(float(t.sum()) - 1) > 1e-4 or bool((t < 0).any()):
        raise ValueError("target must be a probability vector")
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(inits, n_channels, 1, n_atoms_sub, generator=g).requires_grad_(True)
    opt = torch.optim.Adam([logits], lr=lr)
    for _ in range(steps):
        f = convolve_categoricals(torch.softmax(logits, -1))[:, 0]
        loss = -(t * f.clamp_min(1e-12).log()).sum(-1)
        opt.zero_grad()
        loss.sum().backward()
        opt.step()
    with torch.no_grad():
        p = torch.softmax(logits, -1)
        f = convolve_categoricals(p)[:, 0]
        ent = -(t * t.clamp_min(1e-12).log()).sum()
        kl = -(t * f.clamp_min(1e-12).log()).sum(-1) - ent
    return FitResult(p[:, :, 0].numpy().astype(float), kl.numpy().astype(float))


def split_distance(fit: np.ndarray, truth: np.ndarray) -> float:
    """Total-variation distance between fitted ``[N, K]`` and true ``[N, K]`` channels, best over permutations (N = 2)."""
    fit, truth = np.asarray(fit), np.asarray(truth)
    d = [0.5 * np.abs(fit[list(p)] - truth).sum(-1).max() for p in ((0, 1), (1, 0))]
    return float(min(d))
