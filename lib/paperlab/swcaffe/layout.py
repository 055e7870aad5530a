"""Layouts: Caffe's NCHW and swCaffe's (R, C, N, B) (batch innermost) for the direct convolution.

    x_rcnb[r, c, n, b] = x_nchw[b, n, r, c]          w_kkoi[kr, kc, o, i] = w_oikk[o, i, kr, kc]

(swCaffe ``image_swdnn_offset`` / ``weight_swdnn_offset`` in ``sw_conv_layer_impl.c``.) The transforms
are CPE streaming kernels in swCaffe; :func:`transform_cost` gives their modelled time.
"""

from __future__ import annotations

import numpy as np

from paperlab.sunway.arch import SW26010


def _check4(x: np.ndarray, name: str) -> None:
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        raise ValueError(f"{name} must be a 4-D numpy array, got {getattr(x, 'shape', type(x).__name__)}")


def nchw_to_rcnb(x: np.ndarray) -> np.ndarray:
    """``(B, N, R, C) -> (R, C, N, B)`` as a contiguous copy."""
    _check4(x, "x")
    return np.ascontiguousarray(x.transpose(2, 3, 1, 0))


def rcnb_to_nchw(x: np.ndarray) -> np.ndarray:
    """``(R, C, N, B) -> (B, N, R, C)`` as a contiguous copy."""
    _check4(x, "x")
    return np.ascontiguousarray(x.transpose(3, 2, 0, 1))


def weights_to_kkoi(w: np.ndarray) -> np.ndarray:
    """``(No, Ni, Kr, Kc) -> (Kr, Kc, No, Ni)`` as a contiguous copy."""
    _check4(w, "w")
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1))


def kkoi_to_weights(w: np.ndarray) -> np.ndarray:
    """``(Kr, Kc, No, Ni) -> (No, Ni, Kr, Kc)`` as a contiguous copy."""
    _check4(w, "w")
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1))


def transform_cost(
    n_elems: int, itemsize: int = 4, block_bytes: int = 256, spec: SW26010 | None = None
) -> float:
    """Modelled seconds of one layout transform of ``n_elems`` elements on the 64 CPEs: read + write every
    element, with DMA blocks of ``block_bytes`` (the short side of the transpose) [D]."""
    if n_elems <= 0:
        raise ValueError(f"n_elems must be positive, got {n_elems!r}")
    from paperlab.swcaffe.layers import stream_time

    return stream_time(0.0, 2.0 * n_elems * itemsize, False, spec, block_bytes)
