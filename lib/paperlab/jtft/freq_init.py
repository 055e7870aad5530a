"""Data-driven initialisation of the CDCT frequencies (one no-grad pass over the training loader).

Per batch: RevIN → pad + patch → centre each offset over the patch index → A = |D Z| with the full
orthonormal N×N DCT-II matrix D → mean over windows and channels, accumulated. At the end each offset
row is normalised to sum 1 over frequencies and averaged over offsets into a score s_k; the top-M bins
are kept, bin 0 (DC) is forced in, and f_k = k/N.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.fft
import torch

from paperlab.jtft.layers import Patcher, RevIN


def dct_matrix(n: int) -> torch.Tensor:
    """Orthonormal DCT-II matrix ``D [n, n]`` (scipy), so that ``D @ v`` is the DCT of v."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    return torch.as_tensor(scipy.fft.dct(np.eye(n), norm="ortho", axis=0), dtype=torch.float32)


@torch.no_grad()
def accumulate_spectrum(
    loader: Iterable,
    patcher: Patcher,
    revin: RevIN | None = None,
    max_batches: int | None = None,
    transform=None,
) -> torch.Tensor:
    """Average normalised DCT magnitude per bin, ``scores [N]`` (sums to 1).

    Args:
        loader: yields ``(x [B, L, C], y)`` batches (only x is used).
        patcher, revin: the model's patching and normalisation.
        max_batches: stop after this many batches (sub-sampling at small budgets).
        transform: optional map applied to the normalised x (the model's seasonal part).
    """
    if max_batches is not None and max_batches <= 0:
        raise ValueError(f"max_batches must be positive, got {max_batches}")
    total, d, count = None, None, 0
    for i, batch in enumerate(loader):
        if max_batches is not None and i >= max_batches:
            break
        x = batch[0] if isinstance(batch, list | tuple) else batch
        if revin is not None:
            x, _ = revin.norm(x)
        if transform is not None:
            x = transform(x)
        z = patcher(x)  # [B, C, P, N]
        z = z - z.mean(dim=-1, keepdim=True)  # centre each offset over the patch index
        if d is None:
            d = dct_matrix(z.shape[-1]).to(z.dtype)
        a = (z @ d.T).abs().mean(dim=(0, 1))  # [P, N]
        total = a if total is None else total + a
        count += 1
    if count == 0:
        raise ValueError("loader must yield at least one batch")
    rows = total / total.sum(dim=-1, keepdim=True).clamp_min(1e-12)  # each offset sums to 1 over frequencies
    return rows.mean(dim=0)


def select_frequencies(
    scores: torch.Tensor | np.ndarray, n_freq: int, n_patches: int, force_dc: bool = True
) -> torch.Tensor:
    """Top-``n_freq`` bins of ``scores``, DC forced in, as frequencies ``f_k = k/N`` (sorted).

    If ``n_freq > N - 1`` the data are not used: f = (0, 1, ..., M−1)/M.
    """
    s = torch.as_tensor(np.asarray(scores, dtype=np.float64))
    if s.ndim != 1 or len(s) != n_patches:
        raise ValueError(f"scores must have shape ({n_patches},), got {tuple(s.shape)}")
    if n_freq <= 0:
        raise ValueError(f"n_freq must be positive, got {n_freq}")
    if n_freq > n_patches - 1:
        return torch.arange(n_freq, dtype=torch.float32) / n_freq
    order = np.argsort(-s.numpy(), kind="stable")[:n_freq]
    if force_dc and 0 not in order:
        order[-1] = 0
    return torch.as_tensor(np.sort(order), dtype=torch.float32) / n_patches


def low_frequency_init(n_freq: int, n_patches: int) -> torch.Tensor:
    """The ``ini_with_low_freq`` alternative: f_k = k/N for k = 0..M−1."""
    if n_freq <= 0:
        raise ValueError(f"n_freq must be positive, got {n_freq}")
    return torch.arange(n_freq, dtype=torch.float32) / n_patches
