"""The JTFT layers, each one equation of the pipeline (spec read from the official code, rationalspark/JTFT).

Shapes: B batch, L look-back, C channels, P patch length, S stride, N patches, M frequencies,
T time-domain tokens, d model width, H horizon.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn


class RevIN(nn.Module):
    r"""Reversible instance normalisation, per window and channel, ``affine=False``.

    $\mu_c = \mathrm{mean}_t x_{t,c}$, $\sigma_c = \sqrt{\mathrm{var}_t(x_{\cdot,c}) + \epsilon}$ (biased variance).
    """

    def __init__(self, eps: float = 1e-5) -> None:
        super().__init__()
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps}")
        self.eps = eps

    def norm(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """``x [B, L, C] -> (x̃ [B, L, C], (mean [B, 1, C], std [B, 1, C]))``."""
        mean = x.mean(dim=1, keepdim=True).detach()
        std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + self.eps).detach()
        return (x - mean) / std, (mean, std)

    def denorm(self, y: torch.Tensor, stats: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """``y [B, H, C] -> y·σ + μ``."""
        mean, std = stats
        return y * std + mean


def n_patches(seq_len: int, patch_len: int, stride: int) -> int:
    """N = ⌊(L − P)/S⌋ + 1 + 1 (the last +1 is the end-padding patch)."""
    for arg, v in (("seq_len", seq_len), ("patch_len", patch_len), ("stride", stride)):
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{arg} must be a positive integer, got {v!r}")
    if patch_len > seq_len:
        raise ValueError(f"patch_len={patch_len} is longer than seq_len={seq_len}")
    return (seq_len - patch_len) // stride + 2


class Patcher(nn.Module):
    """End padding with S copies of the last value, then patches: ``[B, L, C] -> [B, C, P, N]``."""

    def __init__(self, patch_len: int, stride: int) -> None:
        super().__init__()
        for arg, v in (("patch_len", patch_len), ("stride", stride)):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{arg} must be a positive integer, got {v!r}")
        self.patch_len, self.stride = patch_len, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3:
            raise ValueError(f"x must be [B, L, C], got shape {tuple(x.shape)}")
        n_patches(x.shape[1], self.patch_len, self.stride)
        z = x.transpose(1, 2)  # [B, C, L]
        z = torch.cat([z, z[..., -1:].expand(*z.shape[:-1], self.stride)], dim=-1)  # pad_end
        z = z.unfold(-1, self.patch_len, self.stride)  # [B, C, N, P]
        return z.transpose(-1, -2)  # [B, C, P, N]


class CustomDCT(nn.Module):
    r"""The custom DCT over the patch index with M learnable frequencies.

    $B_{k,n} = \sqrt{2/N}\,\cos(\pi (n + \tfrac12) f_k)$, $F_c = Z_c B^\top \in \mathbb{R}^{P\times M}$.
    With ``decay=True`` each row is multiplied by $\exp(\beta_k(\phi_{k,n} - \phi_{k,N-1}))$, $\phi_{k,n} = \pi(n+\tfrac12)f_k$,
    one $\beta_k$ per frequency, initialised to 0. $f_k = k/N$ reproduces orthonormal DCT-II row $k$ for $k \ge 1$
    (row 0 is $\sqrt 2$ larger). f is not clamped (f, −f and 2 − f alias).
    """

    def __init__(self, n_freq: int, n_patches: int, learnable: bool = True, decay: bool = False) -> None:
        super().__init__()
        if n_freq <= 0:
            raise ValueError(f"n_freq must be positive, got {n_freq}")
        if n_patches <= 0:
            raise ValueError(f"n_patches must be positive, got {n_patches}")
        self.n_freq, self.n_patches = n_freq, n_patches
        self.register_buffer("n_half", torch.arange(n_patches) + 0.5)
        self.frequencies = nn.Parameter(torch.arange(n_freq) / n_patches, requires_grad=learnable)
        self.beta = nn.Parameter(torch.zeros(n_freq)) if decay else None

    @torch.no_grad()
    def init_from_loader(
        self,
        loader,
        patcher: Patcher,
        revin: RevIN | None = None,
        max_batches: int | None = None,
        transform=None,
    ) -> torch.Tensor:
        """Data-driven initialisation: one pass over ``loader``, top-M bins with DC forced in, f = k/N.

        See :mod:`paperlab.jtft.freq_init` for the procedure. Returns the new f.
        """
        from paperlab.jtft.freq_init import accumulate_spectrum, select_frequencies  # it imports this module

        scores = accumulate_spectrum(loader, patcher, revin, max_batches, transform)
        f = select_frequencies(scores, self.n_freq, self.n_patches)
        self.set_frequencies(f)
        return f

    def set_frequencies(self, f: torch.Tensor) -> None:
        """Overwrite f (e.g. with the data-driven initialisation)."""
        f = torch.as_tensor(f, dtype=self.frequencies.dtype)
        if f.shape != (self.n_freq,):
            raise ValueError(f"f must have shape ({self.n_freq},), got {tuple(f.shape)}")
        with torch.no_grad():
            self.frequencies.copy_(f)

    def basis(self) -> torch.Tensor:
        """``[M, N]`` basis matrix B."""
        phase = math.pi * self.frequencies[:, None] * self.n_half[None, :].to(self.frequencies.dtype)
        b = math.sqrt(2.0 / self.n_patches) * torch.cos(phase)
        if self.beta is not None:
            b = b * torch.exp(self.beta[:, None] * (phase - phase[:, -1:]))
        return b

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z [..., P, N] -> [..., P, M]``."""
        if z.shape[-1] != self.n_patches:
            raise ValueError(f"z must have N={self.n_patches} patches in its last axis, got {z.shape[-1]}")
        return z @ self.basis().T


class EncoderLayer(nn.Module):
    """Post-norm Transformer layer with BatchNorm (PatchTST style): attn → +res → BN → FFN → +res → BN."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.drop = nn.Dropout(dropout)
        self.bn1 = nn.BatchNorm1d(d_model)
        self.ff = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model)
        )
        self.bn2 = nn.BatchNorm1d(d_model)

    @staticmethod
    def _bn(bn: nn.BatchNorm1d, x: torch.Tensor) -> torch.Tensor:
        return bn(x.transpose(1, 2)).transpose(1, 2)  # normalise over d for [B', n, d]

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        r"""Multi-head self-attention, $\mathrm{softmax}(QK^\top/\sqrt{d_k})V$ per head, then $W_o$.

        Written out with matmuls: for head sizes of 2–8 this is faster on a CPU than the fused kernel.
        """
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.n_heads), dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x [B', n_tokens, d] -> [B', n_tokens, d]``."""
        x = self._bn(self.bn1, x + self.drop(self.attention(x)))
        return self._bn(self.bn2, x + self.drop(self.ff(x)))


class CIEncoder(nn.Module):
    """Channel-independent encoder: the same layers run on every channel's token sequence."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, n_layers: int, dropout: float = 0.0) -> None:
        super().__init__()
        if n_layers < 0:
            raise ValueError(f"n_layers must be >= 0, got {n_layers}")
        self.layers = nn.ModuleList(EncoderLayer(d_model, n_heads, d_ff, dropout) for _ in range(n_layers))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """``h [B, C, n_tokens, d] -> [B, C, n_tokens, d]`` (channels folded into the batch)."""
        b, c, n, d = h.shape
        x = h.reshape(b * c, n, d)
        for layer in self.layers:
            x = layer(x)
        return x.reshape(b, c, n, d)


class LowRankChannelAttention(nn.Module):
    r"""Low-rank attention across channels (LRA, the official "TFI" layer).

    A learnable router $Q \in \mathbb{R}^{h'\times r\times d_k'}$ attends over all $(M+T)C$ tokens of a sample with
    keys = values $K = HW_K + b$: $A = \mathrm{softmax}(QK^\top\tau)$, $R = \mathrm{concat}_h(AV)W_o + P_r \in \mathbb{R}^{r\times d}$.
    Back to channels: $\Delta H_c = \sum_j M_{c,j} R_j$ (rank ≤ r), added to every token of channel c, then
    $H' = \mathrm{BN}(H + \Delta H)$ and a per-token FFN with residual and BN.
    ``official_scale=True`` uses $\tau = (d\,//\,h')^{-1/2}$ as the official code; False uses $d_k'^{-1/2}$.
    """

    def __init__(
        self,
        c_in: int,
        rank: int,
        d_model: int,
        n_heads: int,
        d_ff: int,
        scale: float = 0.5,
        dropout: float = 0.0,
        official_scale: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(rank, int) or rank < 1:
            raise ValueError(f"rank must be an integer >= 1, got {rank!r}")
        if c_in < 1:
            raise ValueError(f"c_in must be >= 1, got {c_in}")
        if rank >= c_in:
            warnings.warn(
                f"rank={rank} >= c_in={c_in}: the low-rank mixing is not a bottleneck", stacklevel=2
            )
        self.c_in, self.rank = c_in, rank
        self.heads = max(1, int(n_heads * scale))
        self.d_k = max(1, int(d_model // n_heads * scale))
        d_ff_small = int(d_ff * scale)
        self.tau = (d_model // self.heads) ** -0.5 if official_scale else self.d_k**-0.5
        self.w_k = nn.Linear(d_model, self.heads * self.d_k)  # keys, shared as values
        self.router = nn.Parameter(torch.randn(self.heads, rank, self.d_k))
        self.w_o = nn.Linear(self.heads * self.d_k, d_model)
        self.pos_r = nn.Parameter(torch.zeros(rank, d_model))
        self.mix = nn.Parameter(torch.randn(c_in, rank))
        self.drop = nn.Dropout(dropout)
        self.bn1 = nn.BatchNorm1d(d_model)
        self.ff = (
            nn.Sequential(
                nn.Linear(d_model, d_ff_small), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff_small, d_model)
            )
            if d_ff_small > 0
            else None
        )
        self.bn2 = nn.BatchNorm1d(d_model) if self.ff is not None else None

    def delta(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h [B, C, n, d] -> (ΔH [B, C, d], attention [B, h', r, C·n])``."""
        b, c, n, d = h.shape
        if c != self.c_in:
            raise ValueError(f"h has {c} channels but the layer was built for c_in={self.c_in}")
        k = (
            self.w_k(h.reshape(b, c * n, d)).view(b, c * n, self.heads, self.d_k).transpose(1, 2)
        )  # [B, h', Cn, dk]
        attn = torch.softmax(torch.einsum("hrk,bhtk->bhrt", self.router, k) * self.tau, dim=-1)
        r = (attn @ k).transpose(1, 2).reshape(b, self.rank, self.heads * self.d_k)  # values = keys
        r = self.w_o(r) + self.pos_r  # [B, r, d]
        return torch.einsum("cr,brd->bcd", self.mix, r), attn

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h [B, C, n, d] -> (h' [B, C, n, d], attention)``."""
        b, c, n, d = h.shape
        dh, attn = self.delta(h)
        x = (h + self.drop(dh)[:, :, None, :]).reshape(b * c * n, d)
        x = self.bn1(x)
        if self.ff is not None:
            x = self.bn2(x + self.drop(self.ff(x)))
        return x.reshape(b, c, n, d), attn


class FlattenHead(nn.Module):
    """Per channel: flatten the tokens, GELU, dropout, Linear(n_tokens·d → H): ``[B, C, n, d] -> [B, C, H]``."""

    def __init__(self, n_tokens: int, d_model: int, horizon: int, dropout: float = 0.0) -> None:
        super().__init__()
        if horizon <= 0:
            raise ValueError(f"horizon must be positive, got {horizon}")
        self.drop = nn.Dropout(dropout)
        self.linear = nn.Linear(n_tokens * d_model, horizon)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.linear(self.drop(F.gelu(h.flatten(-2))))
