"""Register-level communication (RLC) on the 8x8 CPE mesh, and the SUMMA traffic it saves.

CPEs in the same row (``putr``/``getr``) or column (``putc``/``getc``) exchange 256-bit registers; there is
no diagonal path (two hops through a CPE in the sender's row or column). A broadcast to the whole row or
column has the same latency as a point-to-point send [P, swCandle abstract].

    t_rlc(m) = (latency_cycles * hops + ceil(m / 32)) / freq          seconds, m in bytes
"""

from __future__ import annotations

import math

from paperlab.sunway.arch import SW26010


def rlc_time(nbytes: float, hops: int = 1, spec: SW26010 | None = None) -> float:
    """Seconds to send ``nbytes`` over ``hops`` register-bus hops (1 within a row or column, 2 otherwise)."""
    spec = spec or SW26010()
    if isinstance(nbytes, bool) or not isinstance(nbytes, int | float) or not nbytes > 0:
        raise ValueError(f"nbytes must be positive, got {nbytes!r}")
    if hops not in (1, 2):
        raise ValueError(f"hops must be 1 (same row/column) or 2 (via a corner CPE), got {hops!r}")
    cycles = spec.rlc_latency_cycles * hops + math.ceil(nbytes / spec.rlc_bytes_per_cycle)
    return cycles / spec.freq


def bcast_time(nbytes: float, axis: str = "row", spec: SW26010 | None = None) -> float:
    """Seconds for a row or column broadcast of ``nbytes``: the same as one point-to-point hop."""
    if axis not in ("row", "col"):
        raise ValueError(f"axis must be 'row' or 'col', got {axis!r}")
    return rlc_time(nbytes, 1, spec)


def summa_traffic(
    M: int, N: int, K: int, tile: int, rlc: bool = True, itemsize: int = 4, mesh: int = 8
) -> dict[str, int]:
    """Main-memory bytes of a tiled GEMM ``C[M,N] = A[M,K] @ B[K,N]`` on one core group.

    Every CPE owns a ``tile x tile`` block of C. Without RLC each CPE DMA-loads its own A row panel and B
    column panel; with SUMMA row/column broadcasts the group reads every operand element of its
    ``(mesh*tile)^2`` C block once:

        no RLC: a_bytes = M N K w / tile            RLC: a_bytes = M N K w / (mesh * tile)

    (``b_bytes`` likewise); C is written once in both, ``c_bytes = M N w``. Ratio exactly ``mesh`` = 8.
    """
    for name, v in (("M", M), ("N", N), ("K", K), ("tile", tile), ("itemsize", itemsize), ("mesh", mesh)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    block = mesh * tile
    if M % block or N % block:
        raise ValueError(f"M and N must be multiples of mesh * tile = {block}, got M={M}, N={N}")
    reuse = block if rlc else tile
    return {
        "a_bytes": M * N * K * itemsize // reuse,
        "b_bytes": M * N * K * itemsize // reuse,
        "c_bytes": M * N * itemsize,
    }


def tile_intensity(tile: int, rlc: bool, itemsize: int = 4, mesh: int = 8) -> float:
    """Arithmetic intensity (flop per byte of operand DMA) of a ``tile x tile``-per-CPE GEMM.

    Without RLC a CPE reads ``2 b K w`` bytes for ``2 b^2 K`` flops: ``b / w`` (fp32: ``b / 4``).
    With RLC the group reads ``2 (8b) K w`` bytes for ``2 (8b)^2 K`` flops: ``8 b / w`` (fp32: ``2 b``).
    """
    if isinstance(tile, bool) or not isinstance(tile, int) or tile <= 0:
        raise ValueError(f"tile must be a positive int, got {tile!r}")
    return (mesh if rlc else 1) * tile / itemsize
