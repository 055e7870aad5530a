"""Sparse messages: pack many layers into one int32 buffer, unpack, and decompress.

Layout of one packed buffer (int32 words), for L layers with counts n_1..n_L:

    [n_1, ..., n_L,  values_1 ... values_L (bit-cast to int32),  indices_1 ... indices_L]

float32 values take one word each, float64 two; indices are int32, so a layer must have < 2^31
elements. One buffer means one collective per bucket (latency is paid per message).

Sign-mean quantised buffers (:func:`pack_sign_mean`) carry one mean per layer instead of one value per
index: ``[n_1, ..., n_L, mean_1 ... mean_L (bit-cast), indices_1 ... indices_L]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

INT32_LIMIT = 2**31


@dataclass
class SparseMessage:
    """One layer's message: ``values`` (k,) float, ``indices`` (k,) int64 into a layer of ``numel``."""

    values: Tensor
    indices: Tensor
    numel: int


def _words(dtype: torch.dtype) -> int:
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"values must be float32 or float64, got {dtype}")
    return 1 if dtype == torch.float32 else 2


def pack(msgs: list[SparseMessage]) -> Tensor:
    """Pack ``msgs`` (same value dtype) into one 1-D int32 tensor (see the module docstring)."""
    if not msgs:
        return torch.zeros(0, dtype=torch.int32)
    dtype = msgs[0].values.dtype
    _words(dtype)
    for i, m in enumerate(msgs):
        if m.numel >= INT32_LIMIT:
            raise ValueError(f"msgs[{i}] has numel={m.numel} >= 2^31: int32 indices are not enough")
        if m.values.dtype != dtype:
            raise TypeError(f"msgs[{i}] has dtype {m.values.dtype}, expected {dtype} like msgs[0]")
        if m.values.numel() != m.indices.numel():
            raise ValueError(f"msgs[{i}] has {m.values.numel()} values but {m.indices.numel()} indices")
    counts = torch.tensor([m.values.numel() for m in msgs], dtype=torch.int32, device=msgs[0].values.device)
    values = [m.values.detach().contiguous().view(torch.int32) for m in msgs]  # bit-cast, no conversion
    indices = [m.indices.to(torch.int32) for m in msgs]
    return torch.cat([counts, *values, *indices])


def unpack(buf: Tensor, numels: list[int], dtype: torch.dtype = torch.float32) -> list[SparseMessage]:
    """Inverse of :func:`pack` for layers of sizes ``numels`` and value dtype ``dtype``."""
    w, n_layers = _words(dtype), len(numels)
    counts = buf[:n_layers].tolist()
    out_vals, pos = [], n_layers
    for c in counts:
        out_vals.append(buf[pos : pos + w * c].clone().view(dtype))  # clone: aligned storage
        pos += w * c
    msgs = []
    for c, v, n in zip(counts, out_vals, numels, strict=True):
        msgs.append(SparseMessage(v, buf[pos : pos + c].to(torch.int64), n))
        pos += c
    if pos != buf.numel():
        raise ValueError(f"buf has {buf.numel()} words but the layout needs {pos}")
    return msgs


def decompress(msgs_per_rank: list[SparseMessage], out: Tensor, world_size: int) -> Tensor:
    """out <- (1/p) sum_r scatter(idx_r, val_r): ``index_add`` in rank order, then divide by p.

    ``msgs_per_rank`` holds one layer's message from each rank (rank order); ``out`` is the layer's
    flat output buffer (overwritten and returned).
    """
    out.zero_()
    for m in msgs_per_rank:
        out.index_add_(0, m.indices, m.values)
    return out.div_(world_size)


def sign_mean_quantize(msg: SparseMessage) -> SparseMessage:
    """Sign-mean variant [unverified paper detail]: keep the sign group with the larger mean |value|.

    Returns the indices of that group with every value replaced by the group's mean (one float per
    layer on the wire plus 4 bytes per index).
    """
    v = msg.values
    pos, neg = v > 0, v < 0
    mp = v[pos].mean() if pos.any() else v.new_zeros(())
    mn = (-v[neg]).mean() if neg.any() else v.new_zeros(())
    keep, val = (pos, mp) if mp >= mn else (neg, -mn)
    return SparseMessage(
        torch.full((int(keep.sum()),), float(val), dtype=v.dtype), msg.indices[keep], msg.numel
    )


def pack_sign_mean(msgs: list[SparseMessage]) -> Tensor:
    """Pack sign-mean messages (every value of a layer equal) as counts, one mean per layer, indices.

    Wire size: 4 bytes per index plus, per layer, one count word and one mean (4 bytes in float32).
    """
    if not msgs:
        return torch.zeros(0, dtype=torch.int32)
    dtype = msgs[0].values.dtype
    _words(dtype)
    means = []
    for i, m in enumerate(msgs):
        if m.numel >= INT32_LIMIT:
            raise ValueError(f"msgs[{i}] has numel={m.numel} >= 2^31: int32 indices are not enough")
        if m.values.dtype != dtype:
            raise TypeError(f"msgs[{i}] has dtype {m.values.dtype}, expected {dtype} like msgs[0]")
        if m.values.numel() != m.indices.numel():
            raise ValueError(f"msgs[{i}] has {m.values.numel()} values but {m.indices.numel()} indices")
        if m.values.numel() and not bool((m.values == m.values[0]).all()):
            raise ValueError(f"msgs[{i}] is not sign-mean quantised (its values differ)")
        means.append(m.values[:1] if m.values.numel() else m.values.new_zeros(1))
    counts = torch.tensor([m.values.numel() for m in msgs], dtype=torch.int32, device=msgs[0].values.device)
    mean_words = torch.cat(means).contiguous().view(torch.int32)
    return torch.cat([counts, mean_words, *[m.indices.to(torch.int32) for m in msgs]])


def unpack_sign_mean(buf: Tensor, numels: list[int], dtype: torch.dtype = torch.float32) -> list[SparseMessage]:
    """Inverse of :func:`pack_sign_mean` (values expanded to one per index)."""
    w, n_layers = _words(dtype), len(numels)
    counts = buf[:n_layers].tolist()
    means = buf[n_layers : n_layers + w * n_layers].clone().view(dtype)
    pos, msgs = n_layers + w * n_layers, []
    for j, (c, n) in enumerate(zip(counts, numels, strict=True)):
        msgs.append(SparseMessage(means[j].expand(c).clone(), buf[pos : pos + c].to(torch.int64), n))
        pos += c
    if pos != buf.numel():
        raise ValueError(f"buf has {buf.numel()} words but the layout needs {pos}")
    return msgs
