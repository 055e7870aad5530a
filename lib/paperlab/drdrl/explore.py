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


@dataclass(frozen=True)
class ContextResult:
    """``sub_q [S, 2]`` learned channel means, ``true_q [S, 2]`` true ones (coin p_s, gem 2 q_s), ``kl`` final mean
    KL of the fitted full distributions to the targets, ``score`` the decomposition :class:`~paperlab.drdrl.evaluate.Score`."""

    sub_q: np.ndarray
    true_q: np.ndarray
    kl: float
    score: object


def contextual_split(
    n_states: int = 16, steps: int = 600, lr: float = 0.01, seed: int = 0, hidden: tuple[int, ...] = (32,)
) -> ContextResult:
    r"""The identifiable case through the DRDRL network, without RL: state s pays a coin Bernoulli(p_s)·1 and a gem
    Bernoulli(q_s)·2, independently, with p_s, q_s ~ U(0.05, 0.95) (seeded). A :class:`~paperlab.drdrl.model.DRDRLNet`
    (one-hot state, one action, N = 2 heads on sub-supports {0, 1, 2}) is fitted by the cross-entropy of the
    convolution to the target full distribution of each state (Adam, ``steps`` full-batch steps).

    Sub-supports {0, 1, 2} cannot hold the whole total (0..3), so the trivial split is excluded and the true split is
    the only exact fit up to permutation (§2.8). Half-half here is :math:`(1/\sqrt5 + 2/\sqrt5)/2 \approx 0.67` in
    expectation; a recovered split scores near 1.
    """
    from paperlab.drdrl.evaluate import decomposition_score
    from paperlab.drdrl.model import DRDRLNet
    from paperlab.drdrl.ops import sub_supports

    if n_states < 3:
        raise ValueError(f"n_states must be >= 3, got {n_states}")
    rng = np.random.default_rng(seed)
    pq = rng.uniform(0.05, 0.95, size=(n_states, 2))
    target = torch.as_tensor(
        np.stack([bernoulli_sum((p, q), (1, 2), 5) for p, q in pq]), dtype=torch.float32
    )  # [S, 5]
    torch.manual_seed(seed)
    net = DRDRLNet(n_states, 1, 2, 3, hidden)
    sub, _ = sub_supports(0.0, 4.0, 2, 3)  # each channel on {0, 1, 2}, the total on {0, ..., 4}
    obs = torch.eye(n_states)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        f = net.full_probs(obs)[:, 0]
        loss = -(target * f.clamp_min(1e-8).log()).sum(-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        f = net.full_probs(obs)[:, 0]
        ent = -(target * target.clamp_min(1e-12).log()).sum(-1)
        kl = float((-(target * f.clamp_min(1e-8).log()).sum(-1) - ent).mean())
        sub_q = net.sub_q_values(obs, sub)[:, :, 0].numpy().astype(float)
    true_q = pq * np.array([1.0, 2.0])
    return ContextResult(sub_q, true_q, kl, decomposition_score(sub_q, true_q))
