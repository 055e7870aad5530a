"""Explicit im2col on the CPEs + GEMM on the mesh (swGEMM): the route for layers the direct kernel rejects.

Per image and group g:  col = im2col(x[b, g])  ((Ni/g) K^2 x Ho Wo),   out[b, g] = W_g (No/g x (Ni/g) K^2) @ col.
Backward:  dW_g += dO_g @ col^T,   dcol = W_g^T @ dO_g,   dx = col2im(dcol)  (``F.fold`` sums the overlaps).

The GEMM runs on the emulated core group (SUMMA of :mod:`paperlab.sunway.kernels.summa_gemm`) with its
operands zero-padded to multiples of 8 x tile; im2col/col2im are streaming CPE kernels costed with
:func:`paperlab.sunway.cost.offload_time`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import DmaOp, LDMOverflowError, Phase, RlcOp, gemm_ldm_plan, ldm_check
from paperlab.sunway.emu import CoreGroup, CostReport
from paperlab.sunway.kernels.summa_gemm import summa_gemm

MESH = 8


def merge_reports(reports: list[CostReport]) -> CostReport:
    """Sum the counters of several kernel runs (LDM peak: the maximum)."""
    if not reports:
        raise ValueError("reports must not be empty")
    f = lambda name: sum(getattr(r, name) for r in reports)
    by_block: dict = {}
    for r in reports:
        for blk, acc in r.dma_by_block.items():
            by_block[blk] = by_block.get(blk, 0) + acc
    return CostReport(
        flops=f("flops"),
        vec_flops=f("vec_flops"),
        get_bytes=f("get_bytes"),
        put_bytes=f("put_bytes"),
        n_desc=f("n_desc"),
        n_blocks=f("n_blocks"),
        dma_by_block=by_block,
        rlc_row_units=f("rlc_row_units"),
        rlc_col_units=f("rlc_col_units"),
        rlc_msgs=f("rlc_msgs"),
        rlc_recv_units=f("rlc_recv_units"),
        ldm_peak=np.max([r.ldm_peak for r in reports], axis=0),
        launches=sum(r.launches for r in reports),
    )


def gemm_tile(m: int, n: int, k: int, spec: SW26010 | None = None, itemsize: int = 4) -> int:
    """The largest tile b <= 16 (with k_tile = b) that fits the LDM and is not larger than needed."""
    spec = spec or SW26010()
    need = max(1, math.ceil(min(m, n) / MESH), 1)
    for b in range(min(16, need), 0, -1):
        try:
            ldm_check(gemm_ldm_plan(b, b, rlc=True, itemsize=itemsize), spec=spec)
            return b
        except LDMOverflowError:
            continue
    raise LDMOverflowError("no GEMM tile fits the LDM")


def gemm(cg: CoreGroup, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, CostReport]:
    """``a @ b`` on the emulated core group: zero-pad to multiples of ``8 * tile``, SUMMA, crop."""
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray) or a.ndim != 2 or b.ndim != 2:
        raise ValueError("a and b must be 2-D numpy arrays")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"a is {a.shape} and b is {b.shape}: inner dimensions differ")
    M, K = a.shape
    N = b.shape[1]
    t = gemm_tile(M, N, K, cg.spec, a.dtype.itemsize)
    up = lambda v: -(-v // (MESH * t)) * MESH * t
    ap = np.zeros((up(M), up(K)), a.dtype)
    bp = np.zeros((up(K), up(N)), b.dtype)
    ap[:M, :K], bp[:K, :N] = a, b
    c, rep = summa_gemm(cg, ap, bp, tile=t, k_tile=t)
    return np.ascontiguousarray(c[:M, :N]), rep


def gemm_time(m: int, n: int, k: int, spec: SW26010 | None = None, itemsize: int = 4) -> float:
    """Modelled time (s) of an ``m x k @ k x n`` SUMMA GEMM on one core group (padded, double-buffered).

    Tiles ``b x kb`` of A and ``kb x b`` of B with both operands stored K-contiguous (A row-major, B as
    B^T, as swGEMM's panels [D]), so each DMA row is ``kb`` numbers; ``kb`` is the largest power of two
    <= 256 (and <= K/8 rounded up) whose double-buffered plan fits the LDM.
    """
    spec = spec or SW26010()
    for name, v in (("m", m), ("n", n), ("k", k)):
        if v <= 0:
            raise ValueError(f"{name} must be positive, got {v!r}")
    t = gemm_tile(m, n, k, spec, itemsize)
    kb = 256
    while kb > t and (
        kb > max(t, -(-k // MESH))
        or sum(gemm_ldm_plan(t, kb, rlc=True, itemsize=itemsize, double_buffered=True).values())
        > spec.ldm_usable
    ):
        kb //= 2
    kb = max(kb, t)
    n_blocks = -(-m // (MESH * t)) * -(-n // (MESH * t))
    n_k = -(-k // (MESH * kb))
    blk = t * kb * itemsize
    step = Phase(
        flops=MESH * 2.0 * t * t * kb,
        dma=(DmaOp(2.0 * blk, kb * itemsize, 2),),
        rlc=(RlcOp(MESH * 2.0 * blk, 1, 2 * MESH),),
    )
    c, d, r = step.times(spec, spec.n_cpe)
    _, d_put, _ = Phase(dma=(DmaOp(t * t * itemsize, t * itemsize, 1),)).times(spec, spec.n_cpe)
    n_ph = n_blocks * n_k
    return spec.spawn_overhead + d + (n_ph - 1) * max(c + r, d) + c + r + n_blocks * d_put


def im2col(x: np.ndarray, k: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """``(B, C, H, W) -> (B, C k^2, Ho Wo)`` (rows ordered channel-major, then kr, kc, as Caffe)."""
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        raise ValueError("x must be a 4-D numpy array (B, C, H, W)")
    for name, v in (("k", k), ("stride", stride)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    return F.unfold(torch.from_numpy(x), k, padding=pad, stride=stride).numpy()


def im2col_cost(
    c: int, h: int, w: int, k: int, ho: int, wo: int, spec: SW26010 | None = None, itemsize: int = 4
):
    """Streaming cost of one image's im2col: read C H W, write C k^2 Ho Wo; blocks of one output row [D]."""
    from paperlab.swcaffe.layers import stream_time

    nbytes = (c * h * w + c * k * k * ho * wo) * itemsize
    return stream_time(0.0, float(nbytes), False, spec, max(wo * itemsize, 4))


def conv_im2col(
    cg: CoreGroup, x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0, groups: int = 1
) -> tuple[np.ndarray, dict]:
    """Convolution by im2col + mesh GEMM, image by image (NCHW in, NCHW out).

    Returns ``(out, cost)``; ``cost``: ``gemm`` (merged :class:`CostReport`), ``im2col_s`` (modelled
    seconds), ``time`` (GEMM model time + im2col seconds).
    """
    B, C, H, W = x.shape
    No, Cg, K, _ = w.shape
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0 or C % groups or No % groups:
        raise ValueError(f"groups must divide both C={C} and No={No}, got {groups!r}")
    if Cg != C // groups:
        raise ValueError(f"w has {Cg} input channels per group, expected {C // groups}")
    cols = im2col(x, K, stride, pad)
    Ho, Wo = (H + 2 * pad - K) // stride + 1, (W + 2 * pad - K) // stride + 1
    out = np.empty((B, No, Ho * Wo), x.dtype)
    reps, t_col = [], 0.0
    og, rows = No // groups, Cg * K * K
    for b in range(B):
        t_col += im2col_cost(C, H, W, K, Ho, Wo, cg.spec, x.dtype.itemsize)
        for g in range(groups):
            y, rep = gemm(cg, w[g * og : (g + 1) * og].reshape(og, rows), cols[b, g * rows : (g + 1) * rows])
            out[b, g * og : (g + 1) * og] = y
            reps.append(rep)
    rep = merge_reports(reps)
    return out.reshape(B, No, Ho, Wo), {"gemm": rep, "im2col_s": t_col, "time": rep.timeline().total + t_col}


def conv_im2col_bwd(
    cg: CoreGroup,
    x: np.ndarray,
    w: np.ndarray,
    dout: np.ndarray,
    stride: int = 1,
    pad: int = 0,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """``(dx, dw, cost)`` by ``dW_g += dO_g col^T`` and ``dx = col2im(W_g^T dO_g)`` on the mesh GEMM."""
    B, C, H, W = x.shape
    No, Cg, K, _ = w.shape
    if dout.shape[:2] != (B, No):
        raise ValueError(f"dout has shape {dout.shape}, expected ({B}, {No}, Ho, Wo)")
    cols = im2col(x, K, stride, pad)
    og, rows = No // groups, Cg * K * K
    do = dout.reshape(B, No, -1)
    dw = np.zeros((No, rows), x.dtype)
    dcols = np.empty_like(cols)
    reps = []
    for b in range(B):
        for g in range(groups):
            sl, rs = slice(g * og, (g + 1) * og), slice(g * rows, (g + 1) * rows)
            gw, r1 = gemm(cg, do[b, sl], np.ascontiguousarray(cols[b, rs].T))
            gc, r2 = gemm(cg, np.ascontiguousarray(w[sl].reshape(og, rows).T), do[b, sl])
            dw[sl] += gw
            dcols[b, rs] = gc
            reps += [r1, r2]
    dx = F.fold(torch.from_numpy(dcols), (H, W), K, padding=pad, stride=stride).numpy()
    rep = merge_reports(reps)
    return dx, dw.reshape(w.shape), {"gemm": rep, "time": rep.timeline().total}
