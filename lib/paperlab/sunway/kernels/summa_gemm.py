"""Tiled GEMM ``C = A @ B`` on one core group: SUMMA with register broadcasts, and the no-RLC baseline.

Each CPE (r, c) owns a ``b x b`` tile of a ``(8b) x (8b)`` block of C. K is walked in chunks of ``8 kb``.

**SUMMA** (``summa_gemm``): CPE (r, c) DMA-loads A block ``(r, c)`` (``b x kb``) and B block ``(r, c)``
(``kb x b``) of the chunk, so the core group reads each operand element once. In step t = 0..7,
CPE (r, t) broadcasts its A block along row r and CPE (t, c) its B block along column c; every CPE
accumulates ``C_rc += A_rt @ B_tc``:

    C_rc = sum_t A_rt B_tc        (SUMMA: the summation index t is the broadcasting column/row)

**Panel** (``panel_gemm``): every CPE loads its own A row panel and B column panel, chunk by chunk,
with the same ``b x kb`` / ``kb x b`` tiles: 8x the operand DMA traffic.
"""

from __future__ import annotations

import numpy as np

from paperlab.sunway.emu import CoreGroup, CostReport


def _check(cg: CoreGroup, A: np.ndarray, B: np.ndarray, tile: int | None, k_tile: int | None):
    if not isinstance(cg, CoreGroup):
        raise TypeError(f"cg must be a CoreGroup, got {type(cg).__name__}")
    for name, x in (("A", A), ("B", B)):
        if not isinstance(x, np.ndarray) or x.ndim != 2:
            raise ValueError(f"{name} must be a 2-D numpy array")
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"A is {A.shape} and B is {B.shape}: inner dimensions differ")
    if A.dtype != B.dtype:
        raise ValueError(f"A and B must share a dtype, got {A.dtype} and {B.dtype}")
    rows, cols = cg.spec.mesh
    if rows != cols:
        raise ValueError(f"SUMMA needs a square mesh, got {cg.spec.mesh}")
    m = rows
    M, K = A.shape
    N = B.shape[1]
    tile = M // m if tile is None else tile
    k_tile = tile if k_tile is None else k_tile
    for name, v in (("tile", tile), ("k_tile", k_tile)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    if M % (m * tile) or N % (m * tile):
        raise ValueError(f"M={M} and N={N} must be multiples of 8 * tile = {m * tile}")
    if K % (m * k_tile):
        raise ValueError(f"K={K} must be a multiple of 8 * k_tile = {m * k_tile}")
    return m, M, N, K, tile, k_tile


def summa_sources(t: int, mesh: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Who sends what in SUMMA step ``t``: ``(a_src, b_src)``, each an ``(8, 8)`` array of CPE ids.

    ``a_src[r, c]`` is the CPE whose A block CPE (r, c) multiplies in step t (the row broadcaster
    (r, t), id ``r * 8 + t``); ``b_src[r, c]`` the column broadcaster (t, c), id ``t * 8 + c``.
    """
    if not 0 <= t < mesh:
        raise ValueError(f"t must be in 0..{mesh - 1}, got {t!r}")
    r, c = np.meshgrid(np.arange(mesh), np.arange(mesh), indexing="ij")
    return r * mesh + t, t * mesh + c


def summa_gemm(
    cg: CoreGroup, A: np.ndarray, B: np.ndarray, tile: int | None = None, k_tile: int | None = None
) -> tuple[np.ndarray, CostReport]:
    """``C = A @ B`` by SUMMA with row/column register broadcasts, vectorised over the 64 CPEs.

    Args:
        A: ``(M, K)``, B: ``(K, N)`` main-memory arrays (same dtype); M, N multiples of ``8 * tile``,
            K a multiple of ``8 * k_tile``. ``tile`` defaults to ``M // 8``, ``k_tile`` to ``tile``.

    Returns:
        ``(C, report)``; LDM per CPE: own and received A and B blocks plus the C tile
        (``cost.gemm_ldm_plan(tile, k_tile, rlc=True)``).
    """
    m, M, N, K, b, kb = _check(cg, A, B, tile, k_tile)
    cg.reset()
    cg._c.launches = 1
    C = np.empty((M, N), dtype=A.dtype)
    a = cg.alloc("a", (b, kb), A.dtype)
    bb = cg.alloc("b", (kb, b), A.dtype)
    a_recv = cg.alloc("a_recv", (b, kb), A.dtype)
    b_recv = cg.alloc("b_recv", (kb, b), A.dtype)
    c = cg.alloc("c", (b, b), A.dtype)
    for i0 in range(0, M, m * b):
        for j0 in range(0, N, m * b):
            c[...] = 0
            for k0 in range(0, K, m * kb):
                # CPE (r, c) gets A[i0 + r b : +b, k0 + c kb : +kb] and B[k0 + r kb : +kb, j0 + c b : +b]
                cg.dma_get(a, A[i0 : i0 + m * b, k0 : k0 + m * kb].reshape(m, b, m, kb).transpose(0, 2, 1, 3))
                cg.dma_get(
                    bb, B[k0 : k0 + m * kb, j0 : j0 + m * b].reshape(m, kb, m, b).transpose(0, 2, 1, 3)
                )
                for t in range(m):
                    cg.row_bcast(a, a_recv, root_col=t)  # A_rt to every CPE of row r
                    cg.col_bcast(bb, b_recv, root_row=t)  # B_tc to every CPE of column c
                    c += a_recv @ b_recv  # C_rc += A_rt B_tc, batched over the 8x8 CPEs
                    cg.compute(2.0 * b * b * kb)
            cg.dma_put(C[i0 : i0 + m * b, j0 : j0 + m * b].reshape(m, b, m, b).transpose(0, 2, 1, 3), c)
    return C, cg.report()


def panel_gemm(
    cg: CoreGroup, A: np.ndarray, B: np.ndarray, tile: int | None = None, k_tile: int | None = None
) -> tuple[np.ndarray, CostReport]:
    """``C = A @ B`` without register communication: each CPE DMA-loads its own A and B panels.

    Same tiles as :func:`summa_gemm` (``b x kb`` and ``kb x b``), so its operand DMA bytes are exactly
    8x those of SUMMA and its C traffic is identical.
    """
    m, M, N, K, b, kb = _check(cg, A, B, tile, k_tile)
    cg.reset()
    cg._c.launches = 1
    C = np.empty((M, N), dtype=A.dtype)
    a = cg.alloc("a", (b, kb), A.dtype)
    bb = cg.alloc("b", (kb, b), A.dtype)
    c = cg.alloc("c", (b, b), A.dtype)
    for i0 in range(0, M, m * b):
        for j0 in range(0, N, m * b):
            c[...] = 0
            for k0 in range(0, K, kb):
                a_view = A[i0 : i0 + m * b, k0 : k0 + kb].reshape(m, 1, b, kb)  # row panel r, any column
                b_view = B[k0 : k0 + kb, j0 : j0 + m * b].reshape(1, kb, m, b).transpose(0, 2, 1, 3)
                cg.dma_get(a, np.broadcast_to(a_view, (m, m, b, kb)))
                cg.dma_get(bb, np.broadcast_to(b_view, (m, m, kb, b)))
                c += a @ bb
                cg.compute(2.0 * b * b * kb)
            cg.dma_put(C[i0 : i0 + m * b, j0 : j0 + m * b].reshape(m, b, m, b).transpose(0, 2, 1, 3), c)
    return C, cg.report()


def summa_kernel(cpe, A: np.ndarray, B: np.ndarray, C: np.ndarray, tile: int, k_tile: int):
    """The same SUMMA written per CPE, for ``CoreGroup.spawn`` (the athread picture; slower).

    Usage: ``report = cg.spawn(summa_kernel, A, B, C, tile, k_tile)`` fills ``C``.
    """
    m = cpe._cg.spec.mesh[0]
    b, kb = tile, k_tile
    r, c = cpe.row, cpe.col
    M, K = A.shape
    N = B.shape[1]
    a = cpe.ldm.alloc((b, kb), A.dtype, "a")
    bb = cpe.ldm.alloc((kb, b), A.dtype, "b")
    a_recv = cpe.ldm.alloc((b, kb), A.dtype, "a_recv")
    b_recv = cpe.ldm.alloc((kb, b), A.dtype, "b_recv")
    acc = cpe.ldm.alloc((b, b), A.dtype, "c")
    for i0 in range(0, M, m * b):
        for j0 in range(0, N, m * b):
            acc[...] = 0
            for k0 in range(0, K, m * kb):
                cpe.dma_get(a, A[i0 + r * b : i0 + (r + 1) * b, k0 + c * kb : k0 + (c + 1) * kb])
                cpe.dma_get(bb, B[k0 + r * kb : k0 + (r + 1) * kb, j0 + c * b : j0 + (c + 1) * b])
                for t in range(m):
                    if c == t:
                        cpe.putr_bcast(a)
                        a_recv[...] = a
                    else:
                        a_recv[...] = yield from cpe.getr()
                    if r == t:
                        cpe.putc_bcast(bb)
                        b_recv[...] = bb
                    else:
                        b_recv[...] = yield from cpe.getc()
                    acc += a_recv @ b_recv
                    cpe.compute(2.0 * b * b * kb)
                    yield  # step barrier
            cpe.dma_put(C[i0 + r * b : i0 + (r + 1) * b, j0 + c * b : j0 + (c + 1) * b], acc)
