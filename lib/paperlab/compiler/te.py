"""Tensor expressions: *what* to compute, with no word about *how* (TVM's ``te``, in miniature).

A computation is a tree of :class:`Expr` nodes over iteration variables::

    A = placeholder((M, K), name="A"); B = placeholder((K, N), name="B")
    k = reduce_axis(K, name="k")
    C = compute((M, N), lambda i, j: sum(A[i, k] * B[k, j], axis=k), name="C")

    C[i, j] = sum_k A[i, k] * B[k, j]

Index expressions must be **affine** in the loop variables (``h * stride + kh`` is, ``h * w`` is not):
bound inference and DMA insertion (:mod:`paperlab.compiler.lower`) rely on it. All tensors are float32.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Expr",
    "Var",
    "Const",
    "Bin",
    "Load",
    "Reduce",
    "Tensor",
    "ComputeOp",
    "placeholder",
    "reduce_axis",
    "compute",
    "sum",
    "max",
    "maximum",
    "affine",
    "walk",
]


class Expr:
    """Base of the expression tree; Python arithmetic builds nodes."""

    def __add__(self, o):
        return Bin("+", self, _wrap(o))

    def __radd__(self, o):
        return Bin("+", _wrap(o), self)

    def __sub__(self, o):
        return Bin("-", self, _wrap(o))

    def __rsub__(self, o):
        return Bin("-", _wrap(o), self)

    def __mul__(self, o):
        return Bin("*", self, _wrap(o))

    def __rmul__(self, o):
        return Bin("*", _wrap(o), self)

    def __truediv__(self, o):
        return Bin("/", self, _wrap(o))

    def __floordiv__(self, o):
        return Bin("//", self, _wrap(o))

    def __mod__(self, o):
        return Bin("%", self, _wrap(o))


@dataclass(eq=False)
class Var(Expr):
    """An iteration variable over ``[0, extent)``; ``kind`` is ``"data"`` (an output axis) or ``"reduce"``."""

    name: str
    extent: int
    kind: str = "data"

    def __repr__(self) -> str:
        return self.name


@dataclass(eq=False)
class Const(Expr):
    value: float

    def __repr__(self) -> str:
        return repr(self.value)


@dataclass(eq=False)
class Bin(Expr):
    """Binary node; ``op`` in ``+ - * / // % max``."""

    op: str
    a: Expr
    b: Expr

    def __repr__(self) -> str:
        if self.op == "max":
            return f"max({self.a!r}, {self.b!r})"
        return f"({self.a!r} {self.op} {self.b!r})"


@dataclass(eq=False)
class Load(Expr):
    """``tensor[indices]``: a read of one element."""

    tensor: Tensor
    indices: tuple[Expr, ...]

    def __repr__(self) -> str:
        return f"{self.tensor.name}[{', '.join(map(repr, self.indices))}]"


@dataclass(eq=False)
class Reduce(Expr):
    """``combiner`` (``"sum"`` or ``"max"``) of ``body`` over the reduction ``axes``."""

    combiner: str
    body: Expr
    axes: tuple[Var, ...]

    def __repr__(self) -> str:
        return f"{self.combiner}({self.body!r}, axis={list(self.axes)})"


@dataclass(eq=False)
class ComputeOp:
    """How a computed tensor's elements are defined: ``body`` over data ``axes`` (+ ``reduce_axes``)."""

    axes: tuple[Var, ...]
    body: Expr
    combiner: str | None = None
    reduce_axes: tuple[Var, ...] = ()


@dataclass(eq=False)
class Tensor:
    """A float32 tensor: a placeholder (``op is None``) or the result of :func:`compute`."""

    shape: tuple[int, ...]
    name: str
    op: ComputeOp | None = None
    inputs: tuple[Tensor, ...] = field(default_factory=tuple)

    def __getitem__(self, idx) -> Load:
        idx = idx if isinstance(idx, tuple) else (idx,)
        if len(idx) != len(self.shape):
            raise ValueError(f"tensor {self.name} has {len(self.shape)} dims, indexed with {len(idx)}")
        return Load(self, tuple(_wrap(i) for i in idx))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"Tensor({self.name}, shape={self.shape})"


def _wrap(x) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"cannot use {x!r} ({type(x).__name__}) in a tensor expression")
    return Const(x)


def _shape(shape, what: str = "shape") -> tuple[int, ...]:
    shape = tuple(shape) if isinstance(shape, Sequence) else (shape,)
    if not shape or any(isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in shape):
        raise ValueError(f"{what} must be a non-empty tuple of positive ints, got {shape!r}")
    return shape


def placeholder(shape, name: str = "X", dtype: str = "float32") -> Tensor:
    """An input tensor of ``shape`` (only ``float32`` is supported)."""
    if dtype != "float32":
        raise ValueError(f"dtype must be 'float32', got {dtype!r}")
    return Tensor(_shape(shape), name)


def reduce_axis(extent: int, name: str = "k") -> Var:
    """A reduction variable over ``[0, extent)``."""
    (extent,) = _shape(extent, "extent")
    return Var(name, extent, "reduce")


def sum(expr: Expr, axis) -> Reduce:  # noqa: A001 - mirrors te.sum
    """``sum_axis expr``."""
    return Reduce("sum", _wrap(expr), tuple(axis) if isinstance(axis, Sequence) else (axis,))


def max(expr: Expr, axis) -> Reduce:  # noqa: A001 - mirrors te.max
    """``max_axis expr``."""
    return Reduce("max", _wrap(expr), tuple(axis) if isinstance(axis, Sequence) else (axis,))


def maximum(a, b) -> Bin:
    """Element-wise ``max(a, b)`` (ReLU is ``maximum(x, 0)``)."""
    return Bin("max", _wrap(a), _wrap(b))


def walk(expr: Expr):
    """Yield every node of ``expr`` (pre-order)."""
    yield expr
    if isinstance(expr, Bin):
        yield from walk(expr.a)
        yield from walk(expr.b)
    elif isinstance(expr, Load):
        for i in expr.indices:
            yield from walk(i)
    elif isinstance(expr, Reduce):
        yield from walk(expr.body)


def affine(expr: Expr) -> tuple[dict[Var, int], int]:
    """Coefficients ``{var: a_v}`` and constant ``c`` with ``expr = sum_v a_v v + c``.

    Raises:
        ValueError: ``expr`` is not affine in its variables (the message shows it).
    """
    if isinstance(expr, Const):
        if float(expr.value) != int(expr.value):
            raise ValueError(f"index expression {expr!r} is not an integer")
        return {}, int(expr.value)
    if isinstance(expr, Var):
        return {expr: 1}, 0
    if isinstance(expr, Bin) and expr.op in "+-":
        (ca, ka), (cb, kb) = affine(expr.a), affine(expr.b)
        s = 1 if expr.op == "+" else -1
        out = dict(ca)
        for v, c in cb.items():
            out[v] = out.get(v, 0) + s * c
        return {v: c for v, c in out.items() if c != 0}, ka + s * kb
    if isinstance(expr, Bin) and expr.op == "*":
        (ca, ka), (cb, kb) = affine(expr.a), affine(expr.b)
        if ca and cb:
            raise ValueError(f"index expression {expr!r} is not affine (product of two variables)")
        coefs, k, scale = (ca, ka, kb) if not cb else (cb, kb, ka)
        return {v: c * scale for v, c in coefs.items() if c * scale != 0}, k * scale
    raise ValueError(f"index expression {expr!r} is not affine in the loop variables")


def compute(shape, fcompute: Callable[..., Expr], name: str = "C") -> Tensor:
    """Define ``name[i0, i1, ...] = fcompute(i0, i1, ...)`` over ``shape``.

    The body may be a :class:`Reduce` (``sum``/``max`` over reduce axes) or an element-wise expression.
    Every tensor index must be affine; a negative coefficient is rejected (pad on the host instead).
    """
    shape = _shape(shape)
    axes = tuple(Var(f"{name.lower()}{'ijklmn'[d] if d < 6 else d}", e) for d, e in enumerate(shape))
    body = _wrap(fcompute(*axes))
    combiner, raxes = None, ()
    if isinstance(body, Reduce):
        combiner, raxes, body = body.combiner, body.axes, body.body
        if any(a.kind != "reduce" for a in raxes):
            raise ValueError(f"{name}: reduction axes must come from reduce_axis, got {list(raxes)}")
    inputs: list[Tensor] = []
    for node in walk(body):
        if isinstance(node, Reduce):
            raise ValueError(f"{name}: a reduction may only be the outermost node of the body")
        if isinstance(node, Load):
            for ix in node.indices:
                coefs, _ = affine(ix)
                if builtins.min(coefs.values(), default=0) < 0:
                    raise ValueError(f"{name}: index {ix!r} has a negative coefficient; pad on the host")
                stray = [v for v in coefs if v not in axes and v not in raxes]
                if stray:
                    raise ValueError(
                        f"{name}: index {ix!r} uses variables {stray} that are not axes of {name}"
                    )
            if node.tensor not in inputs:
                inputs.append(node.tensor)
    return Tensor(shape, name, ComputeOp(axes, body, combiner, tuple(raxes)), tuple(inputs))
