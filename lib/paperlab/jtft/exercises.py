"""Autograded JTFT exercises (``check("jtft.<name>", fn)`` in the notebooks)."""

from __future__ import annotations

import math

import numpy as np
import torch

from paperlab.core.exercises import register
from paperlab.jtft.freq_init import select_frequencies
from paperlab.jtft.generators import period_to_bin
from paperlab.jtft.layers import Patcher


def cdct_basis_reference(f: torch.Tensor, n_patches: int) -> torch.Tensor:
    """B[k, n] = sqrt(2/N) cos(pi (n + 1/2) f_k), shape [M, N]."""
    n = torch.arange(n_patches, dtype=f.dtype) + 0.5
    return math.sqrt(2.0 / n_patches) * torch.cos(math.pi * f[:, None] * n[None, :])


def top_m_reference(scores: torch.Tensor, n_freq: int) -> torch.Tensor:
    return select_frequencies(scores, n_freq, len(scores))


def patch_reference(x: torch.Tensor, patch_len: int, stride: int) -> torch.Tensor:
    return Patcher(patch_len, stride)(x)


register(
    "jtft.cdct_basis",
    reference=cdct_basis_reference,
    cases=lambda rng: [
        ((torch.as_tensor(rng.uniform(0, 1, m), dtype=torch.float64), n), {})
        for m, n in ((4, 16), (7, 64), (1, 5))
    ],
    hint="phase = pi * (n + 0.5) * f_k with n = 0..N-1; scale every row by sqrt(2/N), including row 0",
)
register(
    "jtft.top_m",
    reference=top_m_reference,
    cases=lambda rng: (
        [((torch.as_tensor(np.r_[0.0, rng.random(n - 1)]), m), {}) for m, n in ((3, 12), (8, 64), (2, 5))]
        + [((torch.as_tensor(np.r_[5.0, rng.random(9)]), 4), {})]
    ),
    hint="take the M largest scores (torch.topk or argsort), force bin 0 into the last slot if absent, "
    "sort the bins and divide by N",
)
register(
    "jtft.patch",
    reference=patch_reference,
    cases=lambda rng: [
        ((torch.as_tensor(rng.normal(size=(2, L, 3)), dtype=torch.float32), p, s), {})
        for L, p, s in ((32, 8, 4), (30, 4, 2), (17, 5, 3))
    ],
    hint="append S copies of the last value along time, then x.unfold(time_axis, P, S); output is [B, C, P, N]",
)
register(
    "jtft.period_to_bin",
    reference=period_to_bin,
    cases=lambda rng: [
        ((p, L, P, S), {}) for p, L, P, S in ((52, 128, 4, 2), (24, 512, 16, 8), (168, 512, 16, 8))
    ],
    hint="N = (L - P) // S + 2 patches; a period of p steps is p / S patches; the basis cos(pi (n + 1/2) k / N) "
    "has period 2N / k patches",
)
