"""A functional emulator of one SW26010 core group: 64 CPEs with LDM, DMA and register communication.

It computes real results with numpy and **counts** what a kernel does (flops, DMA bytes by block size,
descriptors, register transfers in 32-byte units, LDM peak); :class:`CostReport` turns the counters into
a time with the analytic model of :mod:`paperlab.sunway.cost`. It is not cycle-accurate.

Two ways to write a kernel, sharing the same counters and LDM accounting:

1. **Per CPE** (the athread picture): a generator function ``kernel(cpe, *args)`` run on all 64 CPEs by
   ``CoreGroup.spawn``. It allocates with ``cpe.ldm.alloc``, moves data with ``cpe.dma_get``/``dma_put``,
   talks with ``putr``/``putc``/``putr_bcast``/``putc_bcast`` and receives with
   ``x = yield from cpe.getr()``. A bare ``yield`` is a synchronisation point; the 64 generators advance
   round-robin, so a ``getr`` may wait for a ``putr`` issued later in the same phase.
2. **Vectorised over CPEs** (fast): buffers of shape ``(8, 8, *shape)`` hold every CPE's copy;
   ``cg.alloc``, ``cg.dma_get``/``dma_put`` (source/destination given as an ``(8, 8, ...)`` view of main
   memory), ``cg.row_bcast``/``cg.col_bcast`` and ``cg.compute`` act on all CPEs at once.

Main memory is any numpy array that is not an LDM buffer (:class:`LdmArray`).
"""

from __future__ import annotations

import inspect
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import CGSim, DmaOp, LDMOverflowError, Phase, RlcOp, Timeline
from paperlab.sunway.dma import dma_blocks

__all__ = [
    "CPE",
    "LDM",
    "CoreGroup",
    "CostReport",
    "EmulatorDeadlock",
    "LDMOverflowError",
    "LdmArray",
    "RLCError",
]


class RLCError(ValueError):
    """An impossible register transfer (diagonal, to oneself, or to a CPE outside the mesh)."""


class EmulatorDeadlock(RuntimeError):
    """Every live CPE waits on an empty register queue and nobody can send."""


class LdmArray(np.ndarray):
    """A numpy array living in a CPE's LDM (views of it are LDM too)."""


@dataclass(frozen=True)
class _Wait:
    cpe: int
    queue: str


def _is_ldm(a) -> bool:
    return isinstance(a, LdmArray)


class LDM:
    """Capacity-checked local memory of one CPE (``spec.ldm_usable`` bytes)."""

    def __init__(self, cpe_id: int, capacity: int):
        self.cpe_id, self.capacity = cpe_id, capacity
        self.buffers: dict[str, int] = {}
        self.peak_bytes = 0
        self._n_allocs = 0

    @property
    def used_bytes(self) -> int:
        return sum(self.buffers.values())

    @property
    def free_bytes(self) -> int:
        return self.capacity - self.used_bytes

    def reserve(self, name: str, nbytes: int) -> None:
        """Account ``nbytes`` for buffer ``name`` or raise :class:`LDMOverflowError` naming it."""
        if name in self.buffers:
            raise ValueError(f"CPE {self.cpe_id}: an LDM buffer named {name!r} already exists")
        if nbytes > self.free_bytes:
            listing = ", ".join(f"{k}={v} B" for k, v in self.buffers.items()) or "nothing"
            raise LDMOverflowError(
                f"CPE {self.cpe_id}: LDM buffer {name!r} asks {nbytes} B but only {self.free_bytes} B are free "
                f"of {self.capacity} B usable (in use: {listing})"
            )
        self.buffers[name] = int(nbytes)
        self.peak_bytes = max(self.peak_bytes, self.used_bytes)

    def alloc(self, shape, dtype=np.float32, name: str | None = None) -> LdmArray:
        """A zeroed LDM array (like ``ldm_malloc``); ``name`` defaults to ``buf<n>``."""
        name = name or f"buf{self._n_allocs}"
        self._n_allocs += 1
        dtype = np.dtype(dtype)
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        if any(s <= 0 for s in shape):
            raise ValueError(f"shape must hold positive sizes, got {shape}")
        self.reserve(name, math.prod(shape) * dtype.itemsize)
        return np.zeros(shape, dtype).view(LdmArray)

    def free(self, name: str) -> None:
        if name not in self.buffers:
            raise KeyError(f"CPE {self.cpe_id}: no LDM buffer named {name!r}")
        del self.buffers[name]

    def clear(self) -> None:
        self.buffers.clear()
        self.peak_bytes = 0


class _Counters:
    """Per-CPE counters (arrays of length 64)."""

    def __init__(self, n: int):
        z = lambda: np.zeros(n, dtype=np.int64)
        self.flops, self.vec_flops = np.zeros(n), np.zeros(n)
        self.get_bytes, self.put_bytes, self.n_desc, self.n_blocks = z(), z(), z(), z()
        self.rlc_row_units, self.rlc_col_units, self.rlc_msgs, self.rlc_recv_units = z(), z(), z(), z()
        self.dma_by_block: dict[int, np.ndarray] = {}  # block bytes -> [bytes(64), descriptors(64)]
        self.launches = 0

    def dma(self, cpes, nbytes: int, block: int, n_blocks: int, put: bool) -> None:
        (self.put_bytes if put else self.get_bytes)[cpes] += nbytes
        self.n_desc[cpes] += 1
        self.n_blocks[cpes] += n_blocks
        acc = self.dma_by_block.setdefault(int(block), np.zeros((2, len(self.flops)), dtype=np.int64))
        acc[0, cpes] += nbytes
        acc[1, cpes] += 1


@dataclass
class CostReport:
    """Counters of one kernel run (arrays indexed by CPE id 0..63).

    ``flops``/``vec_flops``; ``get_bytes``/``put_bytes``/``n_desc``/``n_blocks`` (DMA);
    ``dma_by_block`` block bytes -> ``[bytes, descriptors]`` per CPE; ``rlc_row_units``/``rlc_col_units``
    (32-byte register transfers sent on the row/column buses), ``rlc_msgs`` (sends), ``rlc_recv_units``;
    ``ldm_peak`` bytes; ``launches`` (spawns). There is no diagonal counter: a diagonal send raises.
    """

    flops: np.ndarray
    vec_flops: np.ndarray
    get_bytes: np.ndarray
    put_bytes: np.ndarray
    n_desc: np.ndarray
    n_blocks: np.ndarray
    dma_by_block: dict
    rlc_row_units: np.ndarray
    rlc_col_units: np.ndarray
    rlc_msgs: np.ndarray
    rlc_recv_units: np.ndarray
    ldm_peak: np.ndarray
    launches: int

    @property
    def dma_bytes(self) -> np.ndarray:
        return self.get_bytes + self.put_bytes

    def totals(self) -> dict[str, int | float]:
        """Sums over the 64 CPEs (and the largest LDM peak)."""
        return {
            "flops": float(self.flops.sum()),
            "dma_get_bytes": int(self.get_bytes.sum()),
            "dma_put_bytes": int(self.put_bytes.sum()),
            "dma_descriptors": int(self.n_desc.sum()),
            "rlc_row_units": int(self.rlc_row_units.sum()),
            "rlc_col_units": int(self.rlc_col_units.sum()),
            "rlc_sends": int(self.rlc_msgs.sum()),
            "ldm_peak_bytes": int(self.ldm_peak.max()),
        }

    def phases(self, eta: float | None = None) -> list[list[Phase]]:
        """One aggregated :class:`~paperlab.sunway.cost.Phase` per CPE (idle CPEs get an empty list)."""
        out = []
        for i in range(len(self.flops)):
            dma = tuple(
                DmaOp(float(acc[0, i]), float(blk), int(acc[1, i]))
                for blk, acc in sorted(self.dma_by_block.items())
                if acc[0, i] > 0
            )
            units = int(self.rlc_row_units[i] + self.rlc_col_units[i])
            rlc = (RlcOp(units * 32.0, 1, int(self.rlc_msgs[i])),) if units else ()
            f = float(self.flops[i])
            if f == 0 and not dma and not rlc:
                out.append([])
                continue
            vec = float(self.vec_flops[i] / f) if f > 0 else 1.0
            out.append([Phase(flops=f, vec_frac=vec, dma=dma, rlc=rlc, eta=eta)])
        return out

    def timeline(self, spec: SW26010 | None = None, eta: float | None = None) -> Timeline:
        """Model time of the run (no overlap of DMA and compute: one aggregated phase per CPE)."""
        return CGSim(spec).run(self.phases(eta), launches=max(self.launches, 1))


class CPE:
    """One compute processing element: ``id`` 0..63, ``row = id // 8``, ``col = id % 8``, its ``ldm``."""

    def __init__(self, cg: CoreGroup, cpe_id: int):
        self._cg = cg
        self.id = cpe_id
        self.row, self.col = divmod(cpe_id, cg.spec.mesh[1])
        self.ldm = LDM(cpe_id, cg.spec.ldm_usable)
        self._rq: deque = deque()
        self._cq: deque = deque()

    def __repr__(self) -> str:
        return f"CPE({self.id}, row={self.row}, col={self.col})"

    # ---- DMA ------------------------------------------------------------------------------------
    def dma_get(self, dst: LdmArray, src: np.ndarray) -> None:
        """Copy main-memory view ``src`` into LDM buffer ``dst`` (one descriptor)."""
        if not _is_ldm(dst):
            raise TypeError("dst of dma_get must be an LDM buffer (from cpe.ldm.alloc)")
        if _is_ldm(src) or not isinstance(src, np.ndarray):
            raise TypeError("src of dma_get must be a main-memory numpy array, not an LDM buffer")
        if dst.shape != src.shape:
            raise ValueError(f"dst shape {dst.shape} and src shape {src.shape} differ")
        dst[...] = src
        block, n = dma_blocks(src)
        self._cg._c.dma(self.id, src.nbytes, block, n, put=False)

    def dma_put(self, dst: np.ndarray, src: LdmArray) -> None:
        """Copy LDM buffer ``src`` into main-memory view ``dst`` (one descriptor)."""
        if _is_ldm(dst) or not isinstance(dst, np.ndarray):
            raise TypeError("dst of dma_put must be a main-memory numpy array, not an LDM buffer")
        if not _is_ldm(src):
            raise TypeError("src of dma_put must be an LDM buffer (from cpe.ldm.alloc)")
        if dst.shape != src.shape:
            raise ValueError(f"dst shape {dst.shape} and src shape {src.shape} differ")
        dst[...] = src
        block, n = dma_blocks(dst)
        self._cg._c.dma(self.id, dst.nbytes, block, n, put=True)

    def compute(self, flops: float, vec_frac: float = 1.0) -> None:
        """Record ``flops`` of arithmetic (``vec_frac`` of it in 4-wide vector instructions)."""
        if flops < 0 or not 0 <= vec_frac <= 1:
            raise ValueError(f"flops must be >= 0 and vec_frac in [0, 1], got {flops!r}, {vec_frac!r}")
        self._cg._c.flops[self.id] += flops
        self._cg._c.vec_flops[self.id] += flops * vec_frac

    # ---- register communication -------------------------------------------------------------------
    def _send(self, targets: list[CPE], arr, bus: str) -> None:
        if not _is_ldm(arr):
            raise TypeError("register sends take LDM data (an LdmArray)")
        units = math.ceil(arr.nbytes / self._cg.spec.rlc_bytes_per_cycle)
        c = self._cg._c
        (c.rlc_row_units if bus == "row" else c.rlc_col_units)[self.id] += units
        c.rlc_msgs[self.id] += 1
        for t in targets:
            (t._rq if bus == "row" else t._cq).append(np.array(arr, copy=True))
            c.rlc_recv_units[t.id] += units
        self._cg._sends += 1

    def putr(self, dst_col: int, arr: LdmArray) -> None:
        """Send ``arr`` to the CPE in this row at column ``dst_col`` (its row queue)."""
        if not 0 <= dst_col < self._cg.spec.mesh[1]:
            raise RLCError(f"putr: dst_col must be in 0..{self._cg.spec.mesh[1] - 1}, got {dst_col}")
        if dst_col == self.col:
            raise RLCError(f"putr to own column: CPE {self.id} ({self.row},{self.col}) cannot send to itself")
        self._send([self._cg.cpe(self.row, dst_col)], arr, "row")

    def putc(self, dst_row: int, arr: LdmArray) -> None:
        """Send ``arr`` to the CPE in this column at row ``dst_row`` (its column queue)."""
        if not 0 <= dst_row < self._cg.spec.mesh[0]:
            raise RLCError(f"putc: dst_row must be in 0..{self._cg.spec.mesh[0] - 1}, got {dst_row}")
        if dst_row == self.row:
            raise RLCError(f"putc to own row: CPE {self.id} ({self.row},{self.col}) cannot send to itself")
        self._send([self._cg.cpe(dst_row, self.col)], arr, "col")

    def putr_bcast(self, arr: LdmArray) -> None:
        """Broadcast ``arr`` to the other 7 CPEs of this row (same latency as one send)."""
        self._send(
            [self._cg.cpe(self.row, c) for c in range(self._cg.spec.mesh[1]) if c != self.col], arr, "row"
        )

    def putc_bcast(self, arr: LdmArray) -> None:
        """Broadcast ``arr`` to the other 7 CPEs of this column."""
        self._send(
            [self._cg.cpe(r, self.col) for r in range(self._cg.spec.mesh[0]) if r != self.row], arr, "col"
        )

    def send(self, dst_id: int, arr: LdmArray) -> None:
        """Send to any CPE in the same row or column; a diagonal destination raises :class:`RLCError`."""
        if not 0 <= dst_id < self._cg.spec.n_cpe:
            raise RLCError(f"dst_id must be in 0..{self._cg.spec.n_cpe - 1}, got {dst_id}")
        r, c = divmod(dst_id, self._cg.spec.mesh[1])
        if r == self.row:
            self.putr(c, arr)
        elif c == self.col:
            self.putc(r, arr)
        else:
            raise RLCError(
                f"no diagonal transfer: CPE {self.id} ({self.row},{self.col}) -> CPE {dst_id} "
                f"({r},{c}); route through ({self.row},{c}) or ({r},{self.col})"
            )

    def getr(self):
        """Receive from the row queue: ``x = yield from cpe.getr()`` (waits while it is empty)."""
        while not self._rq:
            yield _Wait(self.id, "row")
        return self._rq.popleft()

    def getc(self):
        """Receive from the column queue: ``x = yield from cpe.getc()``."""
        while not self._cq:
            yield _Wait(self.id, "col")
        return self._cq.popleft()


class CoreGroup:
    """One core group: ``spec.mesh`` CPEs, their LDMs, register queues and counters."""

    def __init__(self, spec: SW26010 | None = None):
        self.spec = spec or SW26010()
        self.cpes = [CPE(self, i) for i in range(self.spec.n_cpe)]
        self._c = _Counters(self.spec.n_cpe)
        self._sends = 0
        self._vec: dict[str, tuple[int, ...]] = {}

    def cpe(self, row: int, col: int) -> CPE:
        """The CPE at mesh position (``row``, ``col``)."""
        rows, cols = self.spec.mesh
        if not (0 <= row < rows and 0 <= col < cols):
            raise ValueError(f"row, col must be inside the {rows}x{cols} mesh, got ({row}, {col})")
        return self.cpes[row * cols + col]

    # ---- bookkeeping ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new kernel: clear counters, LDM allocations and register queues."""
        self._c = _Counters(self.spec.n_cpe)
        self._vec.clear()
        for p in self.cpes:
            p.ldm.clear()
            p._rq.clear()
            p._cq.clear()

    def report(self) -> CostReport:
        """The counters accumulated since the last :meth:`reset` (copies)."""
        c = self._c
        return CostReport(
            flops=c.flops.copy(),
            vec_flops=c.vec_flops.copy(),
            get_bytes=c.get_bytes.copy(),
            put_bytes=c.put_bytes.copy(),
            n_desc=c.n_desc.copy(),
            n_blocks=c.n_blocks.copy(),
            dma_by_block={k: v.copy() for k, v in c.dma_by_block.items()},
            rlc_row_units=c.rlc_row_units.copy(),
            rlc_col_units=c.rlc_col_units.copy(),
            rlc_msgs=c.rlc_msgs.copy(),
            rlc_recv_units=c.rlc_recv_units.copy(),
            ldm_peak=np.array([p.ldm.peak_bytes for p in self.cpes]),
            launches=c.launches,
        )

    # ---- per-CPE kernels ------------------------------------------------------------------------
    def spawn(self, kernel, *args, max_rounds: int = 1_000_000) -> CostReport:
        """Run ``kernel(cpe, *args)`` on every CPE (like ``athread_spawn`` + ``athread_join``).

        Generators advance round-robin to their next ``yield``. Raises :class:`EmulatorDeadlock` when every
        live CPE waits on an empty queue and no send happened in a whole round.
        """
        if not callable(kernel):
            raise TypeError(f"kernel must be callable, got {type(kernel).__name__}")
        self.reset()
        self._c.launches = 1
        live = {}
        for p in self.cpes:
            g = kernel(p, *args)
            if inspect.isgenerator(g):
                live[p.id] = g
        for _ in range(max_rounds):
            if not live:
                return self.report()
            sends_before, progressed, waits = self._sends, False, {}
            for i in list(live):
                try:
                    y = next(live[i])
                except StopIteration:
                    del live[i]
                    progressed = True
                    continue
                if isinstance(y, _Wait):
                    waits[i] = y.queue
                else:
                    progressed = True
            if not progressed and self._sends == sends_before:
                shown = ", ".join(f"CPE {i} waits on get{q[0]}" for i, q in list(waits.items())[:8])
                more = f" and {len(waits) - 8} more" if len(waits) > 8 else ""
                raise EmulatorDeadlock(
                    f"all {len(waits)} live CPEs wait on empty register queues: {shown}{more}"
                )
        raise EmulatorDeadlock(f"kernel still running after max_rounds={max_rounds} rounds")

    # ---- vectorised kernels (all CPEs at once) --------------------------------------------------
    def alloc(self, name: str, shape, dtype=np.float32) -> LdmArray:
        """Allocate buffer ``name`` of ``shape`` on every CPE; returns an ``(8, 8, *shape)`` LDM array."""
        dtype = np.dtype(dtype)
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        if any(s <= 0 for s in shape):
            raise ValueError(f"shape must hold positive sizes, got {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        for p in self.cpes:
            p.ldm.reserve(name, nbytes)
        self._vec[name] = shape
        return np.zeros(self.spec.mesh + shape, dtype).view(LdmArray)

    def free(self, name: str) -> None:
        """Free vectorised buffer ``name`` on every CPE."""
        for p in self.cpes:
            p.ldm.free(name)
        self._vec.pop(name, None)

    def _check_mesh(self, arr, what: str) -> None:
        if arr.shape[:2] != self.spec.mesh:
            raise ValueError(
                f"{what} must have leading axes {self.spec.mesh} (one slot per CPE), got {arr.shape}"
            )

    def dma_get(self, dst: LdmArray, src: np.ndarray) -> None:
        """Every CPE (r, c) copies ``src[r, c]`` (a view of main memory) into ``dst[r, c]``."""
        if not _is_ldm(dst):
            raise TypeError("dst of dma_get must be an LDM buffer (from cg.alloc)")
        if _is_ldm(src) or not isinstance(src, np.ndarray):
            raise TypeError("src of dma_get must be a main-memory numpy array, not an LDM buffer")
        self._check_mesh(dst, "dst")
        if dst.shape != src.shape:
            raise ValueError(f"dst shape {dst.shape} and src shape {src.shape} differ")
        dst[...] = src
        block, n = dma_blocks(src[0, 0])
        self._c.dma(slice(None), src[0, 0].nbytes, block, n, put=False)

    def dma_put(self, dst: np.ndarray, src: LdmArray) -> None:
        """Every CPE (r, c) copies ``src[r, c]`` into the main-memory view ``dst[r, c]``."""
        if _is_ldm(dst) or not isinstance(dst, np.ndarray):
            raise TypeError("dst of dma_put must be a main-memory numpy array, not an LDM buffer")
        if not _is_ldm(src):
            raise TypeError("src of dma_put must be an LDM buffer (from cg.alloc)")
        self._check_mesh(src, "src")
        if dst.shape != src.shape:
            raise ValueError(f"dst shape {dst.shape} and src shape {src.shape} differ")
        dst[...] = src
        block, n = dma_blocks(dst[0, 0])
        self._c.dma(slice(None), dst[0, 0].nbytes, block, n, put=True)

    def row_bcast(self, src: LdmArray, dst: LdmArray, root_col: int) -> None:
        """In every row r, CPE (r, ``root_col``) broadcasts ``src[r, root_col]`` into ``dst[r, :]``."""
        self._bcast(src, dst, root_col, axis=1)

    def col_bcast(self, src: LdmArray, dst: LdmArray, root_row: int) -> None:
        """In every column c, CPE (``root_row``, c) broadcasts ``src[root_row, c]`` into ``dst[:, c]``."""
        self._bcast(src, dst, root_row, axis=0)

    def _bcast(self, src, dst, root: int, axis: int) -> None:
        if not (_is_ldm(src) and _is_ldm(dst)):
            raise TypeError("register broadcasts move LDM buffers (src and dst from cg.alloc)")
        self._check_mesh(src, "src")
        self._check_mesh(dst, "dst")
        if src.shape[2:] != dst.shape[2:]:
            raise ValueError(f"src and dst per-CPE shapes differ: {src.shape[2:]} vs {dst.shape[2:]}")
        rows, cols = self.spec.mesh
        if not 0 <= root < (cols if axis == 1 else rows):
            raise RLCError(f"root must index a {'column' if axis == 1 else 'row'} of the mesh, got {root}")
        if axis == 1:
            dst[...] = src[:, root : root + 1]
        else:
            dst[...] = src[root : root + 1]
        units = math.ceil(src[0, 0].nbytes / self.spec.rlc_bytes_per_cycle)
        ids = np.arange(self.spec.n_cpe).reshape(self.spec.mesh)
        senders = ids[:, root] if axis == 1 else ids[root, :]
        (self._c.rlc_row_units if axis == 1 else self._c.rlc_col_units)[senders] += units
        self._c.rlc_msgs[senders] += 1
        receivers = np.setdiff1d(ids, senders)
        self._c.rlc_recv_units[receivers] += units

    def compute(self, flops, vec_frac: float = 1.0) -> None:
        """Record ``flops`` (a scalar for every CPE, or an ``(8, 8)`` array) of arithmetic."""
        f = np.broadcast_to(np.asarray(flops, dtype=float), self.spec.mesh).reshape(-1)
        if np.any(f < 0) or not 0 <= vec_frac <= 1:
            raise ValueError(f"flops must be >= 0 and vec_frac in [0, 1], got vec_frac={vec_frac!r}")
        self._c.flops += f
        self._c.vec_flops += f * vec_frac


def cpe_id(row: int, col: int, mesh: tuple[int, int] = (8, 8)) -> int:
    """Id of the CPE at (``row``, ``col``): ``row * 8 + col``."""
    if not (0 <= row < mesh[0] and 0 <= col < mesh[1]):
        raise ValueError(f"row, col must be inside the mesh {mesh}, got ({row}, {col})")
    return row * mesh[1] + col


def cpe_coords(cpe: int, mesh: tuple[int, int] = (8, 8)) -> tuple[int, int]:
    """(row, col) of CPE ``cpe``: ``divmod(cpe, 8)``."""
    if not 0 <= cpe < mesh[0] * mesh[1]:
        raise ValueError(f"cpe must be in 0..{mesh[0] * mesh[1] - 1}, got {cpe}")
    return divmod(cpe, mesh[1])
