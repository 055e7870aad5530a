"""Schedules: *how* to compute a tensor (loop order, tiling, CPE binding, LDM caches), TVM-style.

A :class:`Stage` holds the loop nest of one computed tensor as an ordered list of **leaf loops**.
Primitives rewrite it:

- ``split(loop, factor) -> (outer, inner)``  with ``loop = outer * factor + inner``
- ``fuse(outer, inner) -> fused``            with ``outer = fused // E_inner``, ``inner = fused % E_inner``
- ``reorder(*loops)``, ``parallel_cpe(loop)`` (bind to the 64 CPE ids), ``unroll``, ``vectorize``
- ``Schedule.cache_read(T, "ldm", [C])`` / ``cache_write(C, "ldm")`` create LDM copy stages that are placed
  with ``compute_at(stage, loop)`` (the copy runs once per iteration of ``loop``) and optionally
  ``double_buffer()``-ed.

Simplifications of this teaching compiler (each raises :class:`ScheduleError` when violated):
split factors must divide the extent (no tails), a fused loop cannot be split again (split first, then
fuse), every input needs a ``cache_read`` and the output a ``cache_write`` (CPEs have no cache: a direct
global load would be a slow ``gld``), and at most one loop is bound to the CPEs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paperlab.compiler.te import Bin, Const, Expr, Tensor, Var

__all__ = ["ScheduleError", "Stage", "CacheStage", "Schedule", "create_schedule"]

ANNOTATIONS = ("cpe_parallel", "unroll", "vectorize")


class ScheduleError(ValueError):
    """A schedule primitive was misused; the message names the stage and the loop."""


@dataclass(eq=False)
class CacheStage:
    """An LDM copy of ``tensor`` for ``consumer``: ``kind`` is ``"read"`` (DMA get) or ``"write"`` (DMA put)."""

    tensor: Tensor
    kind: str
    consumer: Stage
    attach: Var | None = None
    double_buffered: bool = False

    @property
    def name(self) -> str:
        return f"{self.tensor.name}_ldm"

    def compute_at(self, stage: Stage, loop: Var) -> CacheStage:
        """Run this copy once per iteration of ``loop`` of ``stage`` (the consumer)."""
        if stage is not self.consumer:
            raise ScheduleError(
                f"compute_at: {self.name} is consumed by stage {self.consumer.name!r}, "
                f"not by {getattr(stage, 'name', stage)!r}"
            )
        stage._check_leaf(loop, "compute_at")
        self.attach = loop
        return self

    def double_buffer(self) -> CacheStage:
        """Prefetch the next tile while the current one is used (two LDM buffers; reads only)."""
        if self.kind != "read":
            raise ScheduleError(
                f"double_buffer: {self.name} is a write cache; only cache_read stages "
                "are double-buffered here"
            )
        self.double_buffered = True
        return self


@dataclass(eq=False)
class Stage:
    """The loop nest of one computed tensor."""

    tensor: Tensor
    leaves: list[Var] = field(default_factory=list)
    split_of: dict = field(default_factory=dict)  # parent -> (outer, inner, factor)
    fused_from: dict = field(default_factory=dict)  # fused -> (outer, inner)
    fused_into: dict = field(default_factory=dict)  # outer/inner -> (fused, role)
    ann: dict = field(default_factory=dict)  # leaf -> annotation
    reads: dict = field(default_factory=dict)  # input tensor -> CacheStage
    write: CacheStage | None = None

    def __post_init__(self):
        op = self.tensor.op
        if op is None:
            raise ScheduleError(f"{self.tensor.name} is a placeholder: only computed tensors have stages")
        self.leaves = list(op.axes) + list(op.reduce_axes)

    @property
    def name(self) -> str:
        return self.tensor.name

    @property
    def op(self):
        return self.tensor.op

    # ---- helpers -----------------------------------------------------------------------------
    def _check_leaf(self, loop, prim: str) -> None:
        if not isinstance(loop, Var):
            raise ScheduleError(f"{prim}: stage {self.name!r} expects a loop, got {loop!r}")
        if loop not in self.leaves:
            why = (
                "it was already split"
                if loop in self.split_of
                else "it was fused"
                if loop in self.fused_into
                else "it does not belong to this stage"
            )
            raise ScheduleError(
                f"{prim}: loop {loop.name!r} is not a leaf loop of stage {self.name!r} ({why})"
            )

    def value(self, v: Var) -> Expr:
        """Expression of loop ``v`` (an original axis or any derived loop) in terms of the leaf loops."""
        if v in self.split_of:
            outer, inner, f = self.split_of[v]
            return Bin("+", Bin("*", self.value(outer), Const(f)), self.value(inner))
        if v in self.fused_into:
            fused, role = self.fused_into[v]
            inner_ext = self.fused_from[fused][1].extent
            return Bin("//" if role == "outer" else "%", self.value(fused), Const(inner_ext))
        return v

    # ---- primitives --------------------------------------------------------------------------
    def split(self, loop: Var, factor: int) -> tuple[Var, Var]:
        """``loop -> (outer, inner)`` with ``loop = outer * factor + inner``; ``factor`` must divide the extent."""
        self._check_leaf(loop, "split")
        if loop in self.fused_from:
            raise ScheduleError(
                f"split: loop {loop.name!r} of stage {self.name!r} is a fused loop; "
                "split the original loops before fusing them"
            )
        if isinstance(factor, bool) or not isinstance(factor, int) or factor <= 0:
            raise ScheduleError(
                f"split: factor must be a positive int, got {factor!r} for loop {loop.name!r}"
            )
        if factor > loop.extent or loop.extent % factor:
            raise ScheduleError(
                f"split: factor {factor} must divide the extent {loop.extent} of loop "
                f"{loop.name!r} in stage {self.name!r} (no tails in this compiler)"
            )
        outer = Var(f"{loop.name}.o", loop.extent // factor, loop.kind)
        inner = Var(f"{loop.name}.i", factor, loop.kind)
        pos = self.leaves.index(loop)
        self.leaves[pos : pos + 1] = [outer, inner]
        self.split_of[loop] = (outer, inner, factor)
        self.ann.pop(loop, None)
        return outer, inner

    def fuse(self, outer: Var, inner: Var) -> Var:
        """Fuse two adjacent leaf loops into one of extent ``E_outer * E_inner``."""
        self._check_leaf(outer, "fuse")
        self._check_leaf(inner, "fuse")
        i, j = self.leaves.index(outer), self.leaves.index(inner)
        if j != i + 1:
            raise ScheduleError(
                f"fuse: loops {outer.name!r} and {inner.name!r} of stage {self.name!r} "
                "must be adjacent, outer first"
            )
        if outer.kind != inner.kind:
            raise ScheduleError(f"fuse: cannot fuse a data loop with a reduction loop in stage {self.name!r}")
        fused = Var(f"{outer.name}.{inner.name}.f", outer.extent * inner.extent, outer.kind)
        self.leaves[i : j + 1] = [fused]
        self.fused_from[fused] = (outer, inner)
        self.fused_into[outer] = (fused, "outer")
        self.fused_into[inner] = (fused, "inner")
        return fused

    def reorder(self, *loops: Var) -> Stage:
        """Put ``loops`` in this order, in the positions they occupy now."""
        for lp in loops:
            self._check_leaf(lp, "reorder")
        if len(set(loops)) != len(loops):
            raise ScheduleError(f"reorder: stage {self.name!r} got a loop twice")
        pos = sorted(self.leaves.index(lp) for lp in loops)
        for p, lp in zip(pos, loops, strict=True):
            self.leaves[p] = lp
        return self

    def _annotate(self, loop: Var, what: str) -> Stage:
        self._check_leaf(loop, what)
        if loop in self.ann:
            raise ScheduleError(
                f"{what}: loop {loop.name!r} of stage {self.name!r} is already annotated {self.ann[loop]!r}"
            )
        self.ann[loop] = what
        return self

    def parallel_cpe(self, loop: Var) -> Stage:
        """Bind ``loop`` to the CPE id: CPE ``p`` runs ``[p*ceil(E/64), min(E, (p+1)*ceil(E/64)))``."""
        self._check_leaf(loop, "parallel_cpe")
        if loop.kind == "reduce":
            raise ScheduleError(
                f"parallel_cpe: loop {loop.name!r} of stage {self.name!r} is a reduction "
                "loop; CPEs would race on the same output"
            )
        if "cpe_parallel" in self.ann.values():
            raise ScheduleError(f"parallel_cpe: stage {self.name!r} already has a loop bound to the CPEs")
        return self._annotate(loop, "cpe_parallel")

    def unroll(self, loop: Var) -> Stage:
        """Mark ``loop`` for unrolling (``#pragma GCC unroll`` in C; ignored by the cost model)."""
        return self._annotate(loop, "unroll")

    def vectorize(self, loop: Var) -> Stage:
        """Mark the innermost ``loop`` as 4-wide SIMD (the cost model's vector fraction becomes 1)."""
        self._check_leaf(loop, "vectorize")
        if loop is not self.leaves[-1]:
            raise ScheduleError(f"vectorize: loop {loop.name!r} of stage {self.name!r} is not the innermost")
        if loop.extent % 4:
            raise ScheduleError(
                f"vectorize: loop {loop.name!r} has extent {loop.extent}, not a multiple of the 4 SIMD lanes"
            )
        return self._annotate(loop, "vectorize")


class Schedule:
    """The schedule of one output tensor: its stage and the LDM cache stages."""

    def __init__(self, output: Tensor):
        if not isinstance(output, Tensor):
            raise TypeError(f"output must be a Tensor, got {type(output).__name__}")
        self.output = output
        self.stage = Stage(output)

    def __getitem__(self, t):
        if isinstance(t, CacheStage):
            return t
        if t is self.output:
            return self.stage
        raise ScheduleError(f"{getattr(t, 'name', t)!r} has no stage in this schedule")

    def cache_read(self, tensor: Tensor, scope: str, readers) -> CacheStage:
        """An LDM copy of input ``tensor`` read by ``readers`` (a list holding the output tensor)."""
        if scope != "ldm":
            raise ScheduleError(f"cache_read: scope must be 'ldm', got {scope!r}")
        readers = list(readers)
        if readers != [self.output]:
            raise ScheduleError(
                f"cache_read: readers must be [{self.output.name}], got "
                f"{[getattr(r, 'name', r) for r in readers]}"
            )
        if tensor not in self.output.inputs:
            raise ScheduleError(
                f"cache_read: tensor {getattr(tensor, 'name', tensor)!r} is not read by "
                f"stage {self.output.name!r}"
            )
        if tensor in self.stage.reads:
            raise ScheduleError(f"cache_read: {tensor.name} already has an LDM copy")
        cs = CacheStage(tensor, "read", self.stage)
        self.stage.reads[tensor] = cs
        return cs

    def cache_write(self, tensor: Tensor, scope: str) -> CacheStage:
        """Compute ``tensor`` into an LDM tile and DMA-put it back."""
        if scope != "ldm":
            raise ScheduleError(f"cache_write: scope must be 'ldm', got {scope!r}")
        if tensor is not self.output:
            raise ScheduleError(
                f"cache_write: {getattr(tensor, 'name', tensor)!r} is not this schedule's output"
            )
        if self.stage.write is not None:
            raise ScheduleError(f"cache_write: {tensor.name} already has an LDM copy")
        self.stage.write = CacheStage(tensor, "write", self.stage)
        return self.stage.write


def create_schedule(output: Tensor) -> Schedule:
    """A default schedule of ``output``: its loops in definition order, no caches yet."""
    return Schedule(output)
