"""Operator definitions in ``te`` with their numpy references.

Each constructor returns an :class:`Op`: the input placeholders, the output tensor, a numpy
``reference(*inputs)``, the flop count and ``pad`` (convolution and pooling inputs are padded on the
host, the way swDNN-style kernels expect a pre-padded tensor; both the naive and the tuned schedule get
the same padded input). Layouts: conv/pool NCHW with batch 1 (``X[C, H, W]``, ``W[F, C, KH, KW]``),
dense ``X[B, I] @ W[O, I]^T``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paperlab.compiler import te

__all__ = ["Op", "matmul", "dense", "conv2d", "max_pool2d", "avg_pool2d", "relu", "pad_input"]


@dataclass(eq=False)
class Op:
    """A tensor operator: ``inputs`` -> ``output`` with a numpy ``reference`` and ``flops``."""

    kind: str
    inputs: tuple[te.Tensor, ...]
    output: te.Tensor
    reference: Callable[..., np.ndarray]
    flops: int
    pad: int = 0
    params: dict | None = None

    @property
    def name(self) -> str:
        return self.output.name

    def random_inputs(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Seeded float32 inputs in [0, 1) (already padded where the op pads on the host)."""
        return [rng.random(t.shape, dtype=np.float32) for t in self.inputs]


def _pos(**kw) -> None:
    for k, v in kw.items():
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{k} must be a positive int, got {v!r}")


def pad_input(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the two spatial axes of ``x[C, H, W]`` by ``pad`` (host-side, float32, C-contiguous)."""
    if pad < 0:
        raise ValueError(f"pad must be >= 0, got {pad}")
    return np.ascontiguousarray(np.pad(x, ((0, 0), (pad, pad), (pad, pad))), dtype=np.float32)


def matmul(M: int, N: int, K: int, name: str = "C") -> Op:
    """``C[i, j] = sum_k A[i, k] B[k, j]`` (2MNK flops)."""
    _pos(M=M, N=N, K=K)
    A, B = te.placeholder((M, K), "A"), te.placeholder((K, N), "B")
    k = te.reduce_axis(K, "k")
    C = te.compute((M, N), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name)
    return Op("matmul", (A, B), C, lambda a, b: a @ b, 2 * M * N * K, params={"M": M, "N": N, "K": K})


def dense(batch: int, in_features: int, out_features: int, name: str = "Y") -> Op:
    """Fully connected: ``Y[b, o] = sum_i X[b, i] W[o, i]`` (2 B I O flops)."""
    _pos(batch=batch, in_features=in_features, out_features=out_features)
    X, W = te.placeholder((batch, in_features), "X"), te.placeholder((out_features, in_features), "W")
    r = te.reduce_axis(in_features, "r")
    Y = te.compute((batch, out_features), lambda b, o: te.sum(X[b, r] * W[o, r], axis=r), name)
    return Op(
        "dense",
        (X, W),
        Y,
        lambda x, w: x @ w.T,
        2 * batch * in_features * out_features,
        params={"batch": batch, "in": in_features, "out": out_features},
    )


def _out(size: int, k: int, stride: int, pad: int) -> int:
    o = (size + 2 * pad - k) // stride + 1
    if o <= 0:
        raise ValueError(
            f"kernel {k} with stride {stride} and pad {pad} does not fit an input of size {size}"
        )
    return o


def conv2d(
    C: int,
    H: int,
    W: int,
    F: int,
    KH: int,
    KW: int | None = None,
    stride: int = 1,
    pad: int = 0,
    name: str = "Y",
) -> Op:
    """Direct convolution on the host-padded input ``Xp[C, H+2p, W+2p]``:

    Y[f, y, x] = sum_{c, kh, kw} Xp[c, y s + kh, x s + kw] W[f, c, kh, kw]
    """
    KW = KH if KW is None else KW
    _pos(C=C, H=H, W=W, F=F, KH=KH, KW=KW, stride=stride)
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be a non-negative int, got {pad!r}")
    OH, OW = _out(H, KH, stride, pad), _out(W, KW, stride, pad)
    Hp, Wp = (OH - 1) * stride + KH, (OW - 1) * stride + KW  # rows/cols the kernel actually touches
    X = te.placeholder((C, Hp, Wp), "X")
    Wt = te.placeholder((F, C, KH, KW), "W")
    rc, rh, rw = te.reduce_axis(C, "rc"), te.reduce_axis(KH, "rh"), te.reduce_axis(KW, "rw")
    Y = te.compute(
        (F, OH, OW),
        lambda f, y, x: te.sum(
            X[rc, y * stride + rh, x * stride + rw] * Wt[f, rc, rh, rw], axis=(rc, rh, rw)
        ),
        name,
    )

    def ref(xp, w):
        win = np.lib.stride_tricks.sliding_window_view(xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride][
            :, :OH, :OW
        ]
        return np.einsum("cyxhw,fchw->fyx", win, w, optimize=True).astype(np.float32)

    return Op(
        "conv2d",
        (X, Wt),
        Y,
        ref,
        2 * F * OH * OW * C * KH * KW,
        pad,
        {
            "C": C,
            "H": H,
            "W": W,
            "F": F,
            "KH": KH,
            "KW": KW,
            "stride": stride,
            "pad": pad,
            "OH": OH,
            "OW": OW,
        },
    )


def _pool(kind: str, C: int, H: int, W: int, k: int, stride: int, name: str) -> Op:
    _pos(C=C, H=H, W=W, k=k, stride=stride)
    OH, OW = _out(H, k, stride, 0), _out(W, k, stride, 0)
    X = te.placeholder((C, (OH - 1) * stride + k, (OW - 1) * stride + k), "X")
    rh, rw = te.reduce_axis(k, "rh"), te.reduce_axis(k, "rw")
    if kind == "max_pool2d":
        Y = te.compute(
            (C, OH, OW), lambda c, y, x: te.max(X[c, y * stride + rh, x * stride + rw], axis=(rh, rw)), name
        )
    else:
        inv = 1.0 / (k * k)
        Y = te.compute(
            (C, OH, OW),
            lambda c, y, x: te.sum(X[c, y * stride + rh, x * stride + rw] * inv, axis=(rh, rw)),
            name,
        )

    def ref(x):
        win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))[:, ::stride, ::stride][
            :, :OH, :OW
        ]
        return (win.max(axis=(3, 4)) if kind == "max_pool2d" else win.mean(axis=(3, 4))).astype(np.float32)

    per = 1 if kind == "max_pool2d" else 2
    return Op(
        kind,
        (X,),
        Y,
        ref,
        per * C * OH * OW * k * k,
        params={"C": C, "H": H, "W": W, "k": k, "stride": stride, "OH": OH, "OW": OW},
    )


def max_pool2d(C: int, H: int, W: int, k: int = 2, stride: int = 2, name: str = "Y") -> Op:
    """``Y[c, y, x] = max_{kh, kw} X[c, y s + kh, x s + kw]``."""
    return _pool("max_pool2d", C, H, W, k, stride, name)


def avg_pool2d(C: int, H: int, W: int, k: int = 2, stride: int = 2, name: str = "Y") -> Op:
    """``Y[c, y, x] = sum_{kh, kw} X[c, y s + kh, x s + kw] / k^2``."""
    return _pool("avg_pool2d", C, H, W, k, stride, name)


def relu(C: int, H: int, W: int, name: str = "Y") -> Op:
    """``Y = max(X, 0)`` element-wise."""
    _pos(C=C, H=H, W=W)
    X = te.placeholder((C, H, W), "X")
    Y = te.compute((C, H, W), lambda c, y, x: te.maximum(X[c, y, x], 0.0), name)
    return Op(
        "relu",
        (X,),
        Y,
        lambda x: np.maximum(x, 0).astype(np.float32),
        C * H * W,
        params={"C": C, "H": H, "W": W},
    )
