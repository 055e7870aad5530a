"""Pooling, ReLU, BN, Scale, bias, softmax loss and element-wise layers as CPE streaming kernels.

Each function computes with numpy (NCHW) and returns ``(out, seconds)``: the modelled time of a blocked
streaming kernel on the 64 CPEs (DMA in -> compute in LDM -> DMA out, :func:`stream_time`), or on the
MPE when ``on_mpe`` (:func:`paperlab.sunway.cost.mpe_time`): the "MPE trap" of C6.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import DmaOp, Phase, mpe_time


def stream_time(
    flops: float, nbytes: float, on_mpe: bool = False, spec: SW26010 | None = None, block_bytes: int = 8192
) -> float:
    """Seconds of a streaming layer: CPEs (``offload_time``, double-buffered, ``eta_naive``) or the MPE."""
    spec = spec or SW26010()
    if nbytes <= 0 or flops < 0:
        raise ValueError(f"nbytes must be positive and flops non-negative, got {nbytes!r}, {flops!r}")
    if on_mpe:
        return mpe_time(flops, nbytes, spec)
    # n identical double-buffered chunks of `block` bytes per CPE (closed form of cost.offload_time)
    per_cpe = nbytes / spec.n_cpe
    block = min(float(block_bytes), per_cpe)
    n = max(1, round(per_cpe / block))
    c, d, _ = Phase(flops=flops / spec.n_cpe / n, eta=spec.eta_naive, dma=(DmaOp(per_cpe / n),)).times(
        spec, spec.n_cpe
    )
    return spec.spawn_overhead + d + (n - 1) * max(c, d) + c


def _nchw(x, name="x"):
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        raise ValueError(f"{name} must be a 4-D numpy array (B, C, H, W)")


def relu(x: np.ndarray, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """``max(x, 0)``: 1 flop, 2 accesses per element."""
    return np.maximum(x, 0), stream_time(x.size, 2 * x.nbytes, on_mpe)


def relu_bwd(x: np.ndarray, dy: np.ndarray, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """``dy * (x > 0)``."""
    return dy * (x > 0), stream_time(x.size, 3 * x.nbytes, on_mpe)


def max_pool(x: np.ndarray, k: int, stride: int, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """Max pooling without padding (floor mode): ``(B, C, H, W) -> (B, C, Ho, Wo)``."""
    _nchw(x)
    win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    y = win.max(axis=(-1, -2))
    return y, stream_time(win.size, x.nbytes + y.nbytes, on_mpe)


def max_pool_bwd(
    x: np.ndarray, dy: np.ndarray, k: int, stride: int, on_mpe: bool = False
) -> tuple[np.ndarray, float]:
    """Route each output gradient to the first maximum of its window (as torch does)."""
    _nchw(x)
    B, C, Ho, Wo = dy.shape
    win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride].reshape(B, C, Ho, Wo, k * k)
    arg = win.argmax(-1)
    dx = np.zeros_like(x)
    b, c, i, j = np.indices((B, C, Ho, Wo))
    np.add.at(dx, (b, c, i * stride + arg // k, j * stride + arg % k), dy)
    return dx, stream_time(dy.size, x.nbytes + 2 * dy.nbytes, on_mpe)


def bn_fwd(x: np.ndarray, eps: float = 1e-5, on_mpe: bool = False) -> tuple[np.ndarray, dict, float]:
    """Training-mode batch norm without affine (Caffe's BatchNorm): ``(x - mu) / sqrt(var + eps)``,
    statistics over (B, H, W). Two passes (statistics, normalise): 2 reads + 1 write; returns the cache."""
    _nchw(x)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    return xhat.astype(x.dtype), {"xhat": xhat, "inv": inv}, stream_time(4 * x.size, 3 * x.nbytes, on_mpe)


def bn_bwd(dy: np.ndarray, cache: dict, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """``dx = inv * (dy - mean(dy) - xhat * mean(dy * xhat))`` (means over B, H, W)."""
    xhat, inv = cache["xhat"], cache["inv"]
    ax = (0, 2, 3)
    dx = inv * (dy - dy.mean(axis=ax, keepdims=True) - xhat * (dy * xhat).mean(axis=ax, keepdims=True))
    return dx.astype(dy.dtype), stream_time(6 * dy.size, 4 * dy.nbytes, on_mpe)


def scale(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, on_mpe: bool = False
) -> tuple[np.ndarray, float]:
    """Caffe's Scale layer: ``gamma[c] * x + beta[c]``."""
    _nchw(x)
    g, b = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    return (g * x + b).astype(x.dtype), stream_time(2 * x.size, 2 * x.nbytes, on_mpe)


def scale_bwd(x, gamma, dy, on_mpe: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``(dx, dgamma, dbeta)`` of :func:`scale`."""
    dx = gamma.reshape(1, -1, 1, 1) * dy
    return (
        dx,
        (dy * x).sum(axis=(0, 2, 3)),
        dy.sum(axis=(0, 2, 3)),
        stream_time(4 * x.size, 3 * x.nbytes, on_mpe),
    )


def bias(x: np.ndarray, b: np.ndarray, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """``x + b[c]``."""
    _nchw(x)
    return x + b.reshape(1, -1, 1, 1), stream_time(x.size, 2 * x.nbytes, on_mpe)


def eltwise_sum(a: np.ndarray, b: np.ndarray, on_mpe: bool = False) -> tuple[np.ndarray, float]:
    """``a + b`` (ResNet's shortcut)."""
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return a + b, stream_time(a.size, 3 * a.nbytes, on_mpe)


def softmax_loss(
    logits: np.ndarray, labels: np.ndarray, on_mpe: bool = False
) -> tuple[float, np.ndarray, float]:
    """Mean cross-entropy of ``logits (B, K)`` and its gradient ``(softmax - onehot) / B``."""
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError("logits must be (B, K) and labels (B,)")
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = float(-np.log(p[np.arange(n), labels]).mean())
    g = p.copy()
    g[np.arange(n), labels] -= 1
    return loss, (g / n).astype(logits.dtype), stream_time(5 * logits.size, 3 * logits.nbytes, on_mpe)
