"""Lowering: schedule -> loop-nest IR, with the passes swTVM needs on Sunway.

1. **Bound inference** (:func:`infer_bounds`): the tile of tensor ``T`` a cache stage attached at loop
   ``L`` must hold is the range of ``T``'s indices over the loops *inside* ``L`` (interval arithmetic on
   the affine index, loops outside ``L`` fixed). Tile start ("base") = the index with inner loops at 0.
2. **LDM footprint** (:func:`ldm_footprint`): ``sum_b bytes(b) * (2 if double-buffered else 1)``.
3. **DMA insertion** (:func:`dma_plan`): the innermost dimensions that are contiguous in the global tensor
   merge into one block (``run`` elements); the next dimension becomes the descriptor's
   ``count``/``stride``; the remaining outer dimensions become a loop of descriptors.
4. **LDM check** (:func:`check_ldm`): over ``spec.ldm_usable`` (64 KB - 4 KB stack = 60 KB) raises
   :class:`LDMOverflowError` listing the buffers, the total and the limit.
5. **Double buffering**: a ``DmaGet`` of the first tile before the attach loop, then in iteration ``l``
   a prefetch of tile ``l + 1`` into the other half while tile ``l`` is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from paperlab.compiler.ir import (
    Alloc,
    Block,
    DmaGet,
    DmaPut,
    DmaWait,
    Fill,
    For,
    PrimFunc,
    interval,
    simplify,
    substitute,
)
from paperlab.compiler.schedule import Schedule, ScheduleError
from paperlab.compiler.te import Bin, Expr, Load, Tensor, walk
from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import LDMOverflowError, ldm_check

__all__ = [
    "lower",
    "CacheInfo",
    "LoweredInfo",
    "infer_bounds",
    "dma_plan",
    "ldm_footprint",
    "check_ldm",
    "LDMOverflowError",
]


@dataclass(eq=False)
class CacheInfo:
    """One LDM buffer: tile ``shape`` of ``tensor`` starting at ``bases`` (Exprs of the outer loops),
    filled/flushed once per iteration of leaf position ``pos``, and its DMA descriptor plan."""

    name: str
    tensor: Tensor
    kind: str
    pos: int
    shape: tuple[int, ...]
    bases: tuple[Expr, ...]
    index: tuple[Expr, ...]  # the tensor's indices in terms of the leaf loops
    double_buffered: bool = False
    run: int = 1  # contiguous elements per block
    strided_dim: int | None = None
    count: int = 1  # blocks per descriptor
    loop_dims: tuple[int, ...] = ()
    n_desc: int = 1  # descriptors per tile

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return 4 * self.size


@dataclass(eq=False)
class LoweredInfo:
    """Everything the code generators, the emulator and the cost model need about one kernel."""

    stage: object
    leaves: list
    kinds: list
    names: dict
    caches: list
    par_pos: int | None
    block_pos: int
    combiner: str | None
    body: Expr
    out: CacheInfo = None
    footprint: int = 0
    spec: SW26010 = field(default_factory=SW26010)
    epilogue: str | None = None  # "relu": a fused element-wise op applied to the output tile before its put

    @property
    def reads(self) -> list:
        return [c for c in self.caches if c.kind == "read"]

    def cache_of(self, t: Tensor) -> CacheInfo:
        return next(c for c in self.caches if c.tensor is t)

    def statement_text(self) -> str:
        """``C_ldm[i - b] += A_ldm[...] * B_ldm[...]`` in IR notation."""
        from paperlab.compiler.ir import to_c

        def local(c, index):
            return f"{c.name}[" + ", ".join(to_c(d, self.names) for d in self.local_index(c, index)) + "]"

        rhs = to_c(self.leaf_body, self.names, lambda ld: local(self.cache_of(ld.tensor), ld.indices))
        lhs = local(self.out, self.out.index)
        if self.combiner == "sum":
            return f"{lhs} += {rhs}"
        if self.combiner == "max":
            return f"{lhs} = max({lhs}, {rhs})"
        return f"{lhs} = {rhs}"

    def local_index(self, c: CacheInfo, index) -> list[Expr]:
        """Index into LDM buffer ``c``: global index minus the tile start, simplified."""
        return [simplify(Bin("-", ix, b)) for ix, b in zip(index, c.bases, strict=True)]

    @property
    def leaf_body(self) -> Expr:
        """The compute body with every axis replaced by its expression in the leaf loops."""
        st = self.stage
        axes = list(st.op.axes) + list(st.op.reduce_axes)
        return substitute(self.body, {a: st.value(a) for a in axes})

    def n_exec(self, pos: int, chunk: int) -> int:
        """Iterations of the body of leaf position ``pos`` on a CPE owning ``chunk`` iterations of the
        CPE-bound loop."""
        n = 1
        for p in range(pos + 1):
            n *= chunk if p == self.par_pos else self.leaves[p].extent
        return n

    def chunks(self) -> list[int]:
        """Iterations of the CPE-bound loop owned by each of the 64 CPEs (block distribution)."""
        n_cpe = self.spec.n_cpe
        if self.par_pos is None:
            return [1] + [0] * (n_cpe - 1)
        e = self.leaves[self.par_pos].extent
        c = -(-e // n_cpe)
        return [max(0, min(e, (p + 1) * c) - p * c) for p in range(n_cpe)]


def _names(leaves) -> dict:
    names, used = {}, set()
    for v in leaves:
        base = "".join(ch if ch.isalnum() else "_" for ch in v.name)
        n, k = base, 1
        while n in used:
            n, k = f"{base}_{k}", k + 1
        used.add(n)
        names[v] = n
    return names


def infer_bounds(index: tuple[Expr, ...], leaves: list, pos: int) -> tuple[tuple[int, ...], tuple[Expr, ...]]:
    """Tile shape and start of a tensor access ``index`` (in leaf loops) cached at leaf position ``pos``.

    ``shape[d] = hi - lo + 1`` of index ``d`` with inner loops ranging over ``[0, E - 1]`` and outer loops
    fixed; ``base[d]`` = index ``d`` with the inner loops set to 0.
    """
    inner = leaves[pos + 1 :]
    ranges = {v: (0, v.extent - 1) if v in inner else (0, 0) for v in leaves}
    shape = tuple(interval(ix, ranges)[1] - interval(ix, ranges)[0] + 1 for ix in index)
    bases = tuple(substitute(ix, {v: 0 for v in inner}) for ix in index)
    return shape, bases


def dma_plan(tile: tuple[int, ...], global_shape: tuple[int, ...]) -> dict:
    """Descriptor plan of a row-major ``tile`` inside a row-major tensor of ``global_shape``.

    Returns ``run`` (contiguous elements per block), ``strided_dim`` and ``count`` (blocks per descriptor,
    at global stride ``stride`` elements), ``loop_dims`` (one descriptor per index combination) and
    ``n_desc``. Dimensions of extent 1 are ignored, as the emulator's ``dma_blocks`` does.
    """
    if len(tile) != len(global_shape) or any(t > g for t, g in zip(tile, global_shape, strict=True)):
        raise ValueError(f"tile {tile} does not fit in global_shape {global_shape}")
    gstride = [math.prod(global_shape[d + 1 :]) for d in range(len(global_shape))]
    dims = [d for d, e in enumerate(tile) if e > 1]
    run, strided = 1, None
    for d in reversed(dims):
        if gstride[d] != run:
            strided = d
            break
        run *= tile[d]
    loop_dims = tuple(d for d in dims if strided is not None and d < strided)
    count = tile[strided] if strided is not None else 1
    return {
        "run": run,
        "strided_dim": strided,
        "count": count,
        "stride": gstride[strided] if strided is not None else run,
        "loop_dims": loop_dims,
        "n_desc": math.prod(tile[d] for d in loop_dims),
    }


def ldm_footprint(caches) -> dict[str, int]:
    """LDM bytes per buffer on one CPE (a double-buffered buffer counts twice)."""
    return {c.name: c.nbytes * (2 if c.double_buffered else 1) for c in caches}


def check_ldm(caches, spec: SW26010) -> int:
    """Total LDM bytes, or :class:`LDMOverflowError` naming buffers, total and the 60 KB limit."""
    return ldm_check({c.name: c.nbytes for c in caches}, {c.name for c in caches if c.double_buffered}, spec)


def _validate(sch: Schedule) -> tuple[int | None, dict]:
    st = sch.stage
    leaves = st.leaves
    if st.write is None or st.write.attach is None:
        raise ScheduleError(
            f"stage {st.name!r}: the output needs cache_write(…, 'ldm') placed with compute_at "
            "(CPEs write main memory only by DMA)"
        )
    for t in st.tensor.inputs:
        cs = st.reads.get(t)
        if cs is None or cs.attach is None:
            raise ScheduleError(
                f"stage {st.name!r}: input {t.name} needs cache_read(…, 'ldm', …) placed with "
                "compute_at (CPEs have no data cache; a direct gld would be very slow)"
            )
    pos = {cs: leaves.index(cs.attach) for cs in [*st.reads.values(), st.write] if cs.attach in leaves}
    for cs in [*st.reads.values(), st.write]:
        if cs not in pos:
            raise ScheduleError(
                f"{cs.name} is attached at loop {cs.attach.name!r}, which is no longer a leaf of "
                f"stage {st.name!r}"
            )
    par = [i for i, v in enumerate(leaves) if st.ann.get(v) == "cpe_parallel"]
    par_pos = par[0] if par else None
    for cs, p in pos.items():
        if par_pos is not None and p < par_pos:
            raise ScheduleError(
                f"{cs.name} is attached at {cs.attach.name!r}, outside the CPE-bound loop "
                f"{leaves[par_pos].name!r}: every CPE would load the whole tile"
            )
    wp = pos[st.write]
    for i, v in enumerate(leaves):
        if v.kind == "reduce" and i <= wp:
            raise ScheduleError(
                f"stage {st.name!r}: reduction loop {v.name!r} is outside the cache_write "
                f"attach loop {st.write.attach.name!r}; partial sums would be written back"
            )
        if st.ann.get(v) == "vectorize" and i != len(leaves) - 1:
            raise ScheduleError(f"stage {st.name!r}: vectorized loop {v.name!r} is no longer innermost")
    return par_pos, pos


def lower(
    sch: Schedule, spec: SW26010 | None = None, name: str | None = None, epilogue: str | None = None
) -> PrimFunc:
    """Lower a schedule to a :class:`PrimFunc` (validates, infers bounds, plans DMA, checks LDM).

    ``epilogue="relu"`` fuses ``max(y, 0)`` into the kernel: applied to each finished output tile in LDM
    just before its DMA put (operator fusion of an element-wise consumer into its producer).

    Raises:
        ScheduleError: the schedule is malformed (message names stage and loop).
        LDMOverflowError: the LDM buffers exceed ``spec.ldm_usable``.
    """
    spec = spec or SW26010()
    if epilogue not in (None, "relu"):
        raise ValueError(f"epilogue must be None or 'relu', got {epilogue!r}")
    if not isinstance(sch, Schedule):
        raise TypeError(f"sch must be a Schedule, got {type(sch).__name__}")
    st = sch.stage
    par_pos, pos = _validate(sch)
    leaves = list(st.leaves)
    axes = list(st.op.axes) + list(st.op.reduce_axes)
    value = {a: st.value(a) for a in axes}
    caches: list[CacheInfo] = []
    accesses: dict = {}
    for node in walk(st.op.body):
        if isinstance(node, Load):
            key = tuple(repr(i) for i in node.indices)
            if accesses.setdefault(node.tensor, key) != key:
                raise ScheduleError(
                    f"stage {st.name!r} reads {node.tensor.name} with two index patterns; not supported"
                )
            accesses.setdefault((node.tensor, "node"), node)
    items = [(cs, accesses[(cs.tensor, "node")].indices) for cs in st.reads.values()]
    items.append((st.write, tuple(st.op.axes)))
    for cs, index in items:
        index = tuple(substitute(ix, value) for ix in index)
        shape, bases = infer_bounds(index, leaves, pos[cs])
        plan = dma_plan(shape, cs.tensor.shape)
        caches.append(
            CacheInfo(
                cs.name,
                cs.tensor,
                cs.kind,
                pos[cs],
                shape,
                bases,
                index,
                cs.double_buffered,
                plan["run"],
                plan["strided_dim"],
                plan["count"],
                plan["loop_dims"],
                plan["n_desc"],
            )
        )
    footprint = check_ldm(caches, spec)
    block_pos = max(c.pos for c in caches)
    kinds = [
        {"cpe_parallel": "cpe_parallel", "unroll": "unroll", "vectorize": "vectorize"}.get(
            st.ann.get(v), "serial"
        )
        for v in leaves
    ]
    info = LoweredInfo(
        st,
        leaves,
        kinds,
        _names(leaves),
        caches,
        par_pos,
        block_pos,
        st.op.combiner,
        st.op.body,
        caches[-1],
        footprint,
        spec,
        epilogue,
    )

    def nest(p: int) -> list:
        body: list = []
        for c in caches:
            if c.pos == p and c.double_buffered:  # prologue: the first tile, before the attach loop
                body.append(DmaGet(c, mode="prologue", loop=leaves[p]))
        inner: list = []
        for c in caches:
            if c.pos != p:
                continue
            if c.kind == "write":
                if info.combiner is not None:
                    inner.append(Fill(c, 0.0 if info.combiner == "sum" else float("-inf")))
            elif c.double_buffered:
                inner += [DmaWait(c), DmaGet(c, mode="prefetch", loop=leaves[p])]
            else:
                inner.append(DmaGet(c))
        if p == block_pos:
            inner.append(Block(leaves[p + 1 :], kinds[p + 1 :]))
        else:
            inner += nest(p + 1)
        inner += [DmaPut(c) for c in caches if c.pos == p and c.kind == "write"]
        body.append(For(leaves[p], leaves[p].extent, kinds[p], inner))
        return body

    body = [Alloc(c) for c in caches] + nest(0)
    inputs = [t for t in st.tensor.inputs]
    return PrimFunc(
        name or st.name,
        inputs + [st.tensor],
        body,
        {"footprint": footprint, "ldm_usable": spec.ldm_usable},
        info,
    )
