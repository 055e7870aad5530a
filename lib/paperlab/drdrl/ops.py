r"""Categorical distributions on a shared atom spacing: supports, N-fold convolution, the C51 projection.

Channel i lives on :math:`z^{(i)}_k = v_i + k\Delta` (k = 0..K-1); the sum of N independent channels lives on
:math:`z_m = \sum_i v_i + m\Delta` (m = 0..N(K-1)), so the full distribution is the 1-D convolution
:math:`F = p_1 * p_2 * \dots * p_N` with :math:`N(K-1)+1` atoms.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sub_supports(
    vmin: float, vmax: float, n_channels: int, n_atoms_sub: int
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Sub-supports ``[N, K]`` and the full support ``[N(K-1)+1]`` covering ``[vmin, vmax]``.

    :math:`\Delta = (v_{max} - v_{min}) / (N(K-1))` and :math:`v_i = v_{min}/N` (every channel the same support).
    """
    if not vmin < vmax:
        raise ValueError(f"vmin must be < vmax, got vmin={vmin}, vmax={vmax}")
    if isinstance(n_channels, bool) or not isinstance(n_channels, int) or n_channels < 1:
        raise ValueError(f"n_channels must be an int >= 1, got {n_channels!r}")
    if isinstance(n_atoms_sub, bool) or not isinstance(n_atoms_sub, int) or n_atoms_sub < 2:
        raise ValueError(f"n_atoms_sub must be an int >= 2, got {n_atoms_sub!r}")
    n_full = n_channels * (n_atoms_sub - 1) + 1
    delta = (vmax - vmin) / (n_full - 1)
    k = torch.arange(n_atoms_sub, dtype=torch.float64)
    sub = (vmin / n_channels + k * delta).expand(n_channels, n_atoms_sub).clone()
    full = vmin + torch.arange(n_full, dtype=torch.float64) * delta
    return sub.float(), full.float()


def spacing(support: torch.Tensor) -> float:
    """The atom spacing of a 1-D, increasing, uniformly spaced support; ``ValueError`` otherwise."""
    if not isinstance(support, torch.Tensor) or support.ndim != 1 or support.numel() < 2:
        raise ValueError("support must be a 1-D tensor with at least 2 atoms")
    d = torch.diff(support.double())
    if not bool((d > 0).all()) or float(d.max() - d.min()) > 1e-5 * float(d.abs().max()):
        raise ValueError("support must be increasing with uniform spacing (equal atom gaps)")
    return float(d.mean())


def convolve_categoricals(p: torch.Tensor, method: str = "conv1d") -> torch.Tensor:
    r"""Full distribution of the sum of N independent channels: ``p [B, N, A, K] -> F [B, A, N(K-1)+1]``.

    ``conv1d`` computes a cross-correlation, so the kernel is flipped: :math:`(F * p)_m = \sum_k F_{m-k} p_k`.
    ``fft``: :math:`\mathrm{irfft}(\prod_i \mathrm{rfft}(p_i))`, clamped at 0 and renormalised.
    """
    if not isinstance(p, torch.Tensor) or p.ndim != 4:
        raise ValueError(f"p must be a tensor [B, N, A, K], got {getattr(p, 'shape', type(p))}")
    if (p.sum(-1) - 1).abs().max() > 1e-4:
        raise ValueError("p must be probabilities: the last axis must sum to 1 (within 1e-4)")
    B, N, A, K = p.shape
    M = N * (K - 1) + 1
    if method == "fft":
        spec = torch.fft.rfft(p, n=M, dim=-1).prod(dim=1)
        out = torch.fft.irfft(spec, n=M, dim=-1).clamp_min(0)
        return out / out.sum(-1, keepdim=True)
    if method != "conv1d":
        raise ValueError(f"method must be 'conv1d' or 'fft', got {method!r}")
    full = p[:, 0].reshape(1, B * A, K)
    for i in range(1, N):
        kernel = p[:, i].reshape(B * A, 1, K).flip(-1)
        full = F.conv1d(full, kernel, padding=K - 1, groups=B * A)
    return full.reshape(B, A, M)


def project_categorical(tz: torch.Tensor, probs: torch.Tensor, support: torch.Tensor) -> torch.Tensor:
    r"""C51 projection of mass ``probs [B, M']`` sitting at ``tz [B, M']`` onto ``support [M]`` -> ``[B, M]``.

    Triangular-kernel form (no special case when an atom is hit exactly, the l == u bug of index code):
    :math:`[\Phi]_j = \sum_m p_m \,\mathrm{clip}(1 - |\mathrm{clip}(\hat T z_m) - z_j| / \Delta, 0, 1)`.
    """
    delta = spacing(support)
    if tz.shape != probs.shape or tz.ndim != 2:
        raise ValueError(f"tz and probs must both be [B, M'], got {tuple(tz.shape)} and {tuple(probs.shape)}")
    tz = tz.clamp(float(support[0]), float(support[-1]))
    w = (1 - (tz[:, :, None] - support[None, None, :]).abs() / delta).clamp(0, 1)  # [B, M', M]
    return torch.einsum("bm,bmj->bj", probs, w)


def categorical_target(
    next_probs: torch.Tensor, rewards: torch.Tensor, terminated: torch.Tensor, gamma_n, support: torch.Tensor
) -> torch.Tensor:
    r"""Projected Bellman target :math:`\Phi(r + \gamma^n (1 - \text{terminated}) z)` of ``next_probs [B, M]``."""
    g = torch.as_tensor(gamma_n, dtype=support.dtype)
    tz = (
        rewards[:, None]
        + (g.reshape(-1, 1) if g.ndim else g) * (~terminated.bool()).float()[:, None] * support
    )
    return project_categorical(tz, next_probs, support)
