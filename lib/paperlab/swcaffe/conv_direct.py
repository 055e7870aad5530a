"""Direct convolution on the 8x8 CPE mesh (swDNN-style implicit GEMM) in the (R, C, N, B) layout.

For each output pixel (ro, co) and window offset (kr, kc) the convolution is one GEMM:

    O[ro, co] (No x B)  +=  W[kr, kc] (No x Ni)  @  I[ro + kr, co + kc] (Ni x B)

CPE (r, c) holds W block (r, c) (output block r, input block c), I block (r, c) (input block r, batch
block c) and accumulates O block (r, c). SUMMA step t = 0..7: CPE (r, t) broadcasts W(r, t) along row r,
CPE (t, c) broadcasts I(t, c) along column c, and every CPE does ``O(r, c) += W(r, t) @ I(t, c)``.
A chunk of ``cb`` output columns is processed at once (the I and O blocks carry a ``cb`` axis).

Backward data is the same kernel on the output gradient with the weights rotated by 180 degrees and
No/Ni swapped (pad ``K - 1 - pad``); backward weights is the mesh GEMM with the batch as the reduction
dimension: ``dW[kr, kc] += dO[ro, co] (No x B) @ I[ro + kr, co + kc]^T (B x Ni)``.
Stride 1 only (the planner sends stride > 1 to im2col).
"""

from __future__ import annotations

import numpy as np

from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import DmaOp, LDMOverflowError, Phase, RlcOp, ldm_check
from paperlab.sunway.emu import CoreGroup, CostReport

MESH = 8


def _check_direct(x: np.ndarray, w: np.ndarray, pad: int) -> tuple[int, ...]:
    for name, a in (("x", x), ("w", w)):
        if not isinstance(a, np.ndarray) or a.ndim != 4:
            raise ValueError(f"{name} must be a 4-D numpy array")
    H, W, Ni, B = x.shape
    K, K2, No, Ni2 = w.shape
    if K != K2:
        raise ValueError(f"w must have a square kernel, got {K}x{K2}")
    if Ni != Ni2:
        raise ValueError(f"x has Ni={Ni} channels but w expects Ni={Ni2}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be a non-negative int, got {pad!r}")
    for name, v in (("Ni", Ni), ("No", No), ("B", B)):
        if v % MESH:
            raise ValueError(
                f"{name}={v} is not a multiple of 8: the direct kernel splits it over the 8x8 mesh; "
                "use the im2col path (im2col_gemm.conv_im2col) instead"
            )
    Ho, Wo = H + 2 * pad - K + 1, W + 2 * pad - K + 1
    if Ho <= 0 or Wo <= 0:
        raise ValueError(f"kernel {K} larger than the padded image {H + 2 * pad}x{W + 2 * pad}")
    return H, W, Ni, B, K, No, Ho, Wo


def direct_ldm_plan(
    ni: int, no: int, batch: int, cb: int, itemsize: int = 4, double_buffered: bool = False
) -> dict[str, int]:
    """LDM buffers (name -> bytes per CPE) of the direct kernel with a chunk of ``cb`` output columns.

    ``w``, ``w_recv``: (No/8)(Ni/8); ``x``, ``x_recv``: cb (Ni/8)(B/8); ``o``: cb (No/8)(B/8).
    Double buffering doubles the DMA-loaded ``w`` and ``x``.
    """
    for name, v in (("ni", ni), ("no", no), ("batch", batch), ("cb", cb)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    ob, nb, bb = no // MESH, ni // MESH, batch // MESH
    m = 2 if double_buffered else 1
    return {
        "w": m * ob * nb * itemsize,
        "w_recv": ob * nb * itemsize,
        "x": m * cb * nb * bb * itemsize,
        "x_recv": cb * nb * bb * itemsize,
        "o": cb * ob * bb * itemsize,
    }


def choose_cb(
    ni: int,
    no: int,
    batch: int,
    wo: int,
    spec: SW26010 | None = None,
    itemsize: int = 4,
    double_buffered: bool = False,
) -> int:
    """Largest divisor ``cb`` of ``wo`` whose plan fits the LDM; raises ``LDMOverflowError`` if none."""
    spec = spec or SW26010()
    for cb in sorted((d for d in range(1, wo + 1) if wo % d == 0), reverse=True):
        try:
            ldm_check(direct_ldm_plan(ni, no, batch, cb, itemsize, double_buffered), spec=spec)
            return cb
        except LDMOverflowError:
            continue
    raise LDMOverflowError(
        f"direct conv with Ni={ni}, No={no}, B={batch} does not fit the LDM even with cb=1: "
        f"{direct_ldm_plan(ni, no, batch, 1, itemsize, double_buffered)}"
    )


def direct_conv_fwd(
    cg: CoreGroup, x_rcnb: np.ndarray, w_kkoi: np.ndarray, pad: int = 0, cb: int | None = None
) -> tuple[np.ndarray, CostReport]:
    """Forward direct convolution (stride 1) on the emulated core group.

    Args:
        x_rcnb: ``(H, W, Ni, B)`` input; w_kkoi: ``(K, K, No, Ni)`` weights; Ni, No, B multiples of 8.
        pad: zero padding; cb: output columns per chunk (default :func:`choose_cb`).

    Returns:
        ``(out, report)`` with ``out`` of shape ``(Ho, Wo, No, B)``.
    """
    if not isinstance(cg, CoreGroup):
        raise TypeError(f"cg must be a CoreGroup, got {type(cg).__name__}")
    H, W, Ni, B, K, No, Ho, Wo = _check_direct(x_rcnb, w_kkoi, pad)
    if x_rcnb.dtype != w_kkoi.dtype:
        raise ValueError(f"x and w must share a dtype, got {x_rcnb.dtype} and {w_kkoi.dtype}")
    cb = choose_cb(Ni, No, B, Wo, cg.spec, x_rcnb.dtype.itemsize) if cb is None else cb
    if isinstance(cb, bool) or not isinstance(cb, int) or cb <= 0 or Wo % cb:
        raise ValueError(f"cb must be a positive divisor of Wo={Wo}, got {cb!r}")
    m, ob, nb, bb = MESH, No // MESH, Ni // MESH, B // MESH
    xp = np.pad(x_rcnb, ((pad, pad), (pad, pad), (0, 0), (0, 0)))
    out = np.empty((Ho, Wo, No, B), dtype=x_rcnb.dtype)
    cg.reset()
    dt = x_rcnb.dtype
    wbuf, wrecv = cg.alloc("w", (ob, nb), dt), cg.alloc("w_recv", (ob, nb), dt)
    xbuf, xrecv = cg.alloc("x", (cb, nb, bb), dt), cg.alloc("x_recv", (cb, nb, bb), dt)
    obuf = cg.alloc("o", (cb, ob, bb), dt)
    for ro in range(Ho):
        for c0 in range(0, Wo, cb):
            obuf[...] = 0
            for kr in range(K):
                for kc in range(K):
                    # CPE (r, c) <- W[kr, kc][r-th No block, c-th Ni block]
                    cg.dma_get(wbuf, w_kkoi[kr, kc].reshape(m, ob, m, nb).transpose(0, 2, 1, 3))
                    # CPE (r, c) <- I[ro + kr, c0 + kc + j][r-th Ni block, c-th B block], j < cb
                    win = xp[ro + kr, c0 + kc : c0 + kc + cb]
                    cg.dma_get(xbuf, win.reshape(cb, m, nb, m, bb).transpose(1, 3, 0, 2, 4))
                    for t in range(m):
                        cg.row_bcast(wbuf, wrecv, root_col=t)  # W(r, t) along row r
                        cg.col_bcast(xbuf, xrecv, root_row=t)  # I(t, c) along column c
                        obuf += wrecv[:, :, None] @ xrecv  # O(r, c) += W(r, t) @ I(t, c)
                        cg.compute(2.0 * ob * nb * bb * cb)
            dst = out[ro, c0 : c0 + cb].reshape(cb, m, ob, m, bb).transpose(1, 3, 0, 2, 4)
            cg.dma_put(dst, obuf)
    return out, cg.report()


def rotate_weights(w_kkoi: np.ndarray) -> np.ndarray:
    """Weights of the backward-data pass: ``w'[kr, kc] = w[K-1-kr, K-1-kc]^T`` (shape ``(K, K, Ni, No)``)."""
    return np.ascontiguousarray(w_kkoi[::-1, ::-1].transpose(0, 1, 3, 2))


def direct_conv_bwd_data(
    cg: CoreGroup, dout_rcnb: np.ndarray, w_kkoi: np.ndarray, pad: int = 0, cb: int | None = None
) -> tuple[np.ndarray, CostReport]:
    """Input gradient ``(H, W, Ni, B)``: the forward kernel on ``dout`` with rotated weights, pad ``K-1-pad``."""
    K = w_kkoi.shape[0] if isinstance(w_kkoi, np.ndarray) and w_kkoi.ndim == 4 else 0
    if isinstance(pad, bool) or not isinstance(pad, int) or not 0 <= pad <= K - 1:
        raise ValueError(f"pad must be an int in [0, K-1] for the backward pass, got {pad!r}")
    return direct_conv_fwd(cg, dout_rcnb, rotate_weights(w_kkoi), pad=K - 1 - pad, cb=cb)


def direct_conv_bwd_weight(
    cg: CoreGroup, x_rcnb: np.ndarray, dout_rcnb: np.ndarray, k: int, pad: int = 0, cb: int | None = None
) -> tuple[np.ndarray, CostReport]:
    """Weight gradient ``(K, K, No, Ni)``: ``dW[kr, kc] = sum_(ro, co) dO[ro, co] @ I[ro+kr, co+kc]^T``.

    CPE (r, c) holds dO block (No block r, batch block c) and I^T block (batch block r, Ni block c);
    SUMMA over the batch blocks, accumulated over all output pixels.
    """
    if not isinstance(cg, CoreGroup):
        raise TypeError(f"cg must be a CoreGroup, got {type(cg).__name__}")
    if not isinstance(dout_rcnb, np.ndarray) or dout_rcnb.ndim != 4:
        raise ValueError("dout_rcnb must be a 4-D numpy array")
    Ho, Wo, No, B = dout_rcnb.shape
    w_shape = np.empty((k, k, No, x_rcnb.shape[2] if x_rcnb.ndim == 4 else 0), np.float32)
    H, W, Ni, B2, K, _, Ho2, Wo2 = _check_direct(x_rcnb, w_shape, pad)
    if (Ho2, Wo2, B2) != (Ho, Wo, B):
        raise ValueError(f"dout_rcnb has shape {dout_rcnb.shape}, expected {(Ho2, Wo2, No, B2)}")
    cb = choose_cb(Ni, No, B, Wo, cg.spec, x_rcnb.dtype.itemsize) if cb is None else cb
    if Wo % cb:
        raise ValueError(f"cb must divide Wo={Wo}, got {cb!r}")
    m, ob, nb, bb = MESH, No // MESH, Ni // MESH, B // MESH
    xp = np.pad(x_rcnb, ((pad, pad), (pad, pad), (0, 0), (0, 0)))
    dw = np.empty((K, K, No, Ni), dtype=x_rcnb.dtype)
    cg.reset()
    dt = x_rcnb.dtype
    dbuf, drecv = cg.alloc("d", (cb, ob, bb), dt), cg.alloc("d_recv", (cb, ob, bb), dt)
    xbuf, xrecv = cg.alloc("x", (cb, nb, bb), dt), cg.alloc("x_recv", (cb, nb, bb), dt)
    acc = cg.alloc("dw", (ob, nb), dt)
    for kr in range(K):
        for kc in range(K):
            acc[...] = 0
            for ro in range(Ho):
                for c0 in range(0, Wo, cb):
                    # CPE (r, c) <- dO[ro, c0 + j][r-th No block, c-th batch block]
                    dwin = dout_rcnb[ro, c0 : c0 + cb]
                    cg.dma_get(dbuf, dwin.reshape(cb, m, ob, m, bb).transpose(1, 3, 0, 2, 4))
                    # CPE (r, c) <- I[ro + kr, c0 + kc + j][c-th Ni block, r-th batch block]
                    xwin = xp[ro + kr, c0 + kc : c0 + kc + cb]
                    cg.dma_get(xbuf, xwin.reshape(cb, m, nb, m, bb).transpose(3, 1, 0, 2, 4))
                    for t in range(m):
                        cg.row_bcast(dbuf, drecv, root_col=t)  # dO(r, t): No block r, batch block t
                        cg.col_bcast(xbuf, xrecv, root_row=t)  # I(t, c): batch block t, Ni block c
                        acc += (drecv @ xrecv.swapaxes(-1, -2)).sum(axis=2)  # dW(r, c) += dO I^T
                        cg.compute(2.0 * ob * nb * bb * cb)
            cg.dma_put(dw[kr, kc].reshape(m, ob, m, nb).transpose(0, 2, 1, 3), acc)
    return dw, cg.report()


def direct_conv_time(
    ni: int,
    no: int,
    batch: int,
    h: int,
    w: int,
    k: int,
    pad: int,
    spec: SW26010 | None = None,
    itemsize: int = 4,
) -> dict[str, float]:
    """Modelled forward time (s) of the direct kernel on one core group, double-buffered [D].

    The modelled kernel reuses each loaded input window across the K column offsets (as swDNN does): one
    phase per (output row, chunk of cb columns, kr) loads K W blocks (rows of Ni/8 elements) and the
    ``cb + K - 1`` input pixels of the window (rows of B/8 elements), one strided descriptor per W block
    and per pixel (``dma_set_bsize``/``dma_set_stepsize``), then runs K x 8 SUMMA
    steps of ``2 (No/8)(Ni/8)(B/8) cb`` flops with 2 register broadcasts each. Each chunk puts cb O blocks.
    (The emulated :func:`direct_conv_fwd` reloads the window per offset: simpler, K x more input DMA.)
    Returns ``time``, ``flops``, ``utilisation`` (of the CG peak), ``cb``, ``bound``.
    """
    spec = spec or SW26010()
    for name, v in (("ni", ni), ("no", no), ("batch", batch)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0 or v % MESH:
            raise ValueError(f"{name} must be a positive multiple of 8 for the direct kernel, got {v!r}")
    ho, wo = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    if ho <= 0 or wo <= 0:
        raise ValueError(f"kernel k={k} larger than the padded image")
    try:
        cb = choose_cb(ni, no, batch, wo, spec, itemsize, double_buffered=True)
    except LDMOverflowError:
        # split the larger of No / Ni in two passes (No: each pass re-reads the input; Ni: partial sums)
        if max(ni, no) // 2 % MESH:
            raise
        if no >= ni:
            half = direct_conv_time(ni, no // 2, batch, h, w, k, pad, spec, itemsize)
        else:
            half = direct_conv_time(ni // 2, no, batch, h, w, k, pad, spec, itemsize)
        return {
            **half,
            "time": 2 * half["time"],
            "flops": 2 * half["flops"],
            "passes": 2 * half.get("passes", 1),
        }
    ob, nb, bb = no / MESH, ni / MESH, batch / MESH
    w_bytes, x_bytes = k * ob * nb * itemsize, (cb + k - 1) * nb * bb * itemsize
    step = Phase(
        flops=k * MESH * 2.0 * ob * nb * bb * cb,
        dma=(DmaOp(w_bytes, nb * itemsize, k), DmaOp(x_bytes, bb * itemsize, cb + k - 1)),
        rlc=(RlcOp(MESH * (ob * nb + cb * nb * bb) * itemsize * k, 1, 2 * MESH * k),),
    )
    put = Phase(dma=(DmaOp(cb * ob * bb * itemsize, bb * itemsize, cb),))
    c, d, r = step.times(spec, spec.n_cpe)
    _, d_put, _ = put.times(spec, spec.n_cpe)
    n_chunks = ho * (wo // cb)
    n = n_chunks * k
    # double buffering: t_dma[0] + sum max(comp, next dma) + last comp, plus each chunk's output put
    t = d + (n - 1) * max(c + r, d) + (c + r) + n_chunks * d_put + spec.spawn_overhead
    flops = 2.0 * no * ni * k * k * ho * wo * batch
    return {
        "time": t,
        "flops": flops,
        "utilisation": flops / (t * spec.cg_peak),
        "cb": cb,
        "bound": "compute" if c + r >= d else "dma",
    }
