"""Baselines under the same protocol: naive last value, DLinear, NLinear, a point-token Transformer and
a small PatchTST. All map ``x [B, L, C] -> [B, H, C]`` and share weights across channels."""

from __future__ import annotations

import torch
from torch import nn

from paperlab.jtft.layers import CIEncoder, FlattenHead, Patcher, RevIN, n_patches
from paperlab.jtft.model import moving_average


def _check_x(x: torch.Tensor, seq_len: int) -> None:
    if x.ndim != 3 or x.shape[1] != seq_len:
        raise ValueError(f"x must be [B, L={seq_len}, C], got shape {tuple(x.shape)}")


class Naive(nn.Module):
    """Repeat the last observed value H times (no parameters)."""

    def __init__(self, seq_len: int, pred_len: int) -> None:
        super().__init__()
        if pred_len <= 0:
            raise ValueError(f"pred_len must be positive, got {pred_len}")
        self.seq_len, self.pred_len = seq_len, pred_len

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.seq_len)
        return x[:, -1:, :].expand(-1, self.pred_len, -1)


class DLinear(nn.Module):
    """x = trend (moving average, kernel 25, replicate padding) + seasonal; one Linear(L → H) each."""

    def __init__(self, seq_len: int, pred_len: int, kernel: int = 25) -> None:
        super().__init__()
        if pred_len <= 0:
            raise ValueError(f"pred_len must be positive, got {pred_len}")
        self.seq_len, self.kernel = seq_len, kernel
        self.trend = nn.Linear(seq_len, pred_len)
        self.seasonal = nn.Linear(seq_len, pred_len)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.seq_len)
        trend = moving_average(x, self.kernel)
        y = self.trend(trend.transpose(1, 2)) + self.seasonal((x - trend).transpose(1, 2))
        return y.transpose(1, 2)


class NLinear(nn.Module):
    """Subtract the last value, Linear(L → H), add it back."""

    def __init__(self, seq_len: int, pred_len: int) -> None:
        super().__init__()
        if pred_len <= 0:
            raise ValueError(f"pred_len must be positive, got {pred_len}")
        self.seq_len = seq_len
        self.linear = nn.Linear(seq_len, pred_len)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.seq_len)
        last = x[:, -1:, :]
        return self.linear((x - last).transpose(1, 2)).transpose(1, 2) + last


class VanillaTransformer(nn.Module):
    """Encoder-only Transformer over L point tokens (one token per time step, all channels embedded
    together), then Linear(d → C) per step and Linear(L → H) over time. Attention is O(L²)."""

    def __init__(
        self,
        c_in: int,
        seq_len: int,
        pred_len: int,
        d_model: int = 16,
        n_heads: int = 2,
        n_layers: int = 2,
        d_ff: int = 32,
        dropout: float = 0.1,
        revin: bool = True,
    ) -> None:
        super().__init__()
        if pred_len <= 0:
            raise ValueError(f"pred_len must be positive, got {pred_len}")
        self.seq_len = seq_len
        self.revin = RevIN() if revin else None
        self.embed = nn.Linear(c_in, d_model)
        self.pos = nn.Parameter(torch.randn(seq_len, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.out = nn.Linear(d_model, c_in)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.seq_len)
        stats = None
        if self.revin is not None:
            x, stats = self.revin.norm(x)
        h = self.encoder(self.embed(x) + self.pos)
        y = self.time(self.out(h).transpose(1, 2)).transpose(1, 2)
        return y if stats is None else self.revin.denorm(y, stats)


class PatchTSTLite(nn.Module):
    """PatchTST without self-supervision: RevIN, all N patches as tokens, the JTFT CI encoder, flatten head."""

    def __init__(
        self,
        c_in: int,
        seq_len: int,
        pred_len: int,
        patch_len: int = 16,
        stride: int = 8,
        d_model: int = 16,
        n_heads: int = 4,
        n_layers: int = 3,
        d_ff: int = 24,
        dropout: float = 0.2,
        head_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        n = n_patches(seq_len, patch_len, stride)
        self.seq_len = seq_len
        self.revin = RevIN()
        self.patcher = Patcher(patch_len, stride)
        self.w_in = nn.Linear(patch_len, d_model)
        self.pos = nn.Parameter(torch.randn(n, d_model) * 0.02)
        self.drop = nn.Dropout(dropout)
        self.encoder = CIEncoder(d_model, n_heads, d_ff, n_layers, dropout)
        self.head = FlattenHead(n, d_model, pred_len, head_dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_x(x, self.seq_len)
        x, stats = self.revin.norm(x)
        tokens = self.patcher(x).transpose(-1, -2)  # [B, C, N, P]
        h = self.encoder(self.drop(self.w_in(tokens) + self.pos))
        return self.revin.denorm(self.head(h).transpose(1, 2), stats)
