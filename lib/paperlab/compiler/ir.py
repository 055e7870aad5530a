"""The loop-nest IR that lowering produces and the code generators walk, plus expression utilities.

Statements: :class:`For` (``kind`` serial / cpe_parallel / unroll / vectorize), :class:`Alloc` (an LDM
buffer), :class:`DmaGet` / :class:`DmaPut` / :class:`DmaWait`, :class:`Fill` (reduction init), and
:class:`Block` (the innermost loops and the compute statement, run vectorised by the emulator).
:func:`print_ir` shows a :class:`PrimFunc` the way TVM prints lowered TIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from paperlab.compiler.te import Bin, Const, Expr, Load, Var

__all__ = [
    "For",
    "Alloc",
    "DmaGet",
    "DmaPut",
    "DmaWait",
    "Fill",
    "Block",
    "PrimFunc",
    "print_ir",
    "substitute",
    "simplify",
    "interval",
    "evaluate",
    "to_c",
]


# ---- expression utilities -------------------------------------------------------------------------
def substitute(e: Expr, mapping: dict) -> Expr:
    """``e`` with every variable ``v`` in ``mapping`` replaced by ``mapping[v]`` (an Expr or an int)."""
    if isinstance(e, Var):
        r = mapping.get(e, e)
        return Const(r) if isinstance(r, int) else r
    if isinstance(e, Bin):
        return Bin(e.op, substitute(e.a, mapping), substitute(e.b, mapping))
    if isinstance(e, Load):
        return Load(e.tensor, tuple(substitute(i, mapping) for i in e.indices))
    return e


def _linear(e: Expr) -> tuple[dict, int]:
    """``e`` as ``({repr(atom): [atom, coef]}, const)``; atoms are variables and ``//``/``%`` nodes."""
    if isinstance(e, Const):
        return {}, int(e.value)
    if isinstance(e, Bin) and e.op in "+-":
        (ta, ca), (tb, cb) = _linear(e.a), _linear(e.b)
        s = 1 if e.op == "+" else -1
        out = {k: [a, c] for k, (a, c) in ta.items()}
        for k, (a, c) in tb.items():
            out.setdefault(k, [a, 0])[1] += s * c
        return {k: v for k, v in out.items() if v[1] != 0}, ca + s * cb
    if isinstance(e, Bin) and e.op == "*" and isinstance(e.b, Const):
        t, c = _linear(e.a)
        k = int(e.b.value)
        return {key: [a, co * k] for key, (a, co) in t.items() if co * k != 0}, c * k
    if isinstance(e, Bin) and e.op in ("//", "%"):
        a = Bin(e.op, simplify(e.a), e.b)
        return {repr(a): [a, 1]}, 0
    return {repr(e): [e, 1]}, 0


def simplify(e: Expr) -> Expr:
    """Fold an integer index expression to ``sum coef * atom + const`` (cancels ``(a + b) - a``)."""
    terms, const = _linear(e)
    out = None
    for a, c in terms.values():
        t = a if c == 1 else Bin("*", a, Const(c))
        out = t if out is None else Bin("+", out, t)
    if out is None:
        return Const(const)
    return Bin("+", out, Const(const)) if const else out


def interval(e: Expr, ranges: dict) -> tuple[int, int]:
    """Integer interval ``[lo, hi]`` of an index expression, each variable ``v`` in ``ranges[v]``.

    Interval arithmetic over ``+ - * // %`` with constant right operands of ``* // %``.
    """
    if isinstance(e, Const):
        return int(e.value), int(e.value)
    if isinstance(e, Var):
        if e not in ranges:
            raise ValueError(f"no range for loop variable {e.name!r}")
        return ranges[e]
    if isinstance(e, Bin):
        a = interval(e.a, ranges)
        if e.op in "+-":
            b = interval(e.b, ranges)
            return (a[0] + b[0], a[1] + b[1]) if e.op == "+" else (a[0] - b[1], a[1] - b[0])
        c = int(e.b.value)
        if e.op == "*":
            return (a[0] * c, a[1] * c) if c >= 0 else (a[1] * c, a[0] * c)
        if e.op == "//":
            return a[0] // c, a[1] // c
        if e.op == "%":
            if a[1] - a[0] + 1 >= c or a[0] // c != a[1] // c:
                return 0, c - 1
            return a[0] % c, a[1] % c
    raise ValueError(f"cannot bound index expression {e!r}")


def evaluate(e: Expr, env: dict, loads=None):
    """Evaluate ``e`` with numpy broadcasting; ``env`` maps variables to ints or arrays.

    ``loads(load_node, index_values)`` resolves tensor reads (default: not allowed).
    """
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Var):
        return env[e]
    if isinstance(e, Load):
        if loads is None:
            raise ValueError(f"tensor read {e!r} inside an index expression")
        return loads(e, [evaluate(i, env) for i in e.indices])
    a, b = evaluate(e.a, env, loads), evaluate(e.b, env, loads)
    if e.op == "+":
        return a + b
    if e.op == "-":
        return a - b
    if e.op == "*":
        return a * b
    if e.op == "/":
        return np.float32(a) / np.float32(b) if np.isscalar(a) and np.isscalar(b) else a / b
    if e.op == "//":
        return a // b
    if e.op == "%":
        return a % b
    if e.op == "max":
        return np.maximum(a, b)
    raise ValueError(f"unknown operator {e.op!r}")


def to_c(e: Expr, names: dict, load=None) -> str:
    """C text of ``e``; ``names`` maps variables to C identifiers; ``load(node)`` renders tensor reads."""
    if isinstance(e, Const):
        v = e.value
        return str(int(v)) if float(v) == int(v) and isinstance(v, int) else f"{float(v)!r}f"
    if isinstance(e, Var):
        return names[e]
    if isinstance(e, Load):
        return load(e)
    a, b = to_c(e.a, names, load), to_c(e.b, names, load)
    if e.op == "max":
        return f"fmaxf({a}, {b})"
    op = "/" if e.op == "//" else e.op
    return f"({a} {op} {b})"


# ---- statements -----------------------------------------------------------------------------------
@dataclass(eq=False)
class For:
    var: Var
    extent: int
    kind: str
    body: list


@dataclass(eq=False)
class Alloc:
    cache: object  # lower.CacheInfo


@dataclass(eq=False)
class DmaGet:
    cache: object
    mode: str = (
        "sync"  # "prologue": first tile before ``loop``; "prefetch": tile of ``loop``'s next iteration
    )
    loop: Var | None = None


@dataclass(eq=False)
class DmaPut:
    cache: object


@dataclass(eq=False)
class DmaWait:
    cache: object


@dataclass(eq=False)
class Fill:
    cache: object
    value: float


@dataclass(eq=False)
class Block:
    """Innermost ``loops`` (with their annotations) around ``out_local[...] (+)= body``."""

    loops: list
    kinds: list


@dataclass(eq=False)
class PrimFunc:
    """A lowered CPE kernel: parameters (input tensors then the output), the body, attributes."""

    name: str
    params: list
    body: list
    attrs: dict = field(default_factory=dict)
    info: object = None  # lower.LoweredInfo


def print_ir(func: PrimFunc) -> str:
    """TVM-like text of a lowered function."""
    info = func.info
    names = info.names
    out = [f"primfn {func.name}({', '.join(f'{t.name}: float32{list(t.shape)}' for t in func.params)}) {{"]

    def region(c, shift=None):
        bases = [to_c(simplify(substitute(b, shift or {})), names) for b in c.bases]
        return ", ".join(f"{b}:+{e}" for b, e in zip(bases, c.shape, strict=True))

    def emit(stmts, ind):
        pad = "  " * ind
        for s in stmts:
            if isinstance(s, For):
                tag = "" if s.kind == "serial" else f"  // {s.kind}"
                out.append(f"{pad}for ({names[s.var]}, 0, {s.extent}) {{{tag}")
                emit(s.body, ind + 1)
                out.append(f"{pad}}}")
            elif isinstance(s, Alloc):
                c = s.cache
                x2 = " x2 (double buffer)" if c.double_buffered else ""
                out.append(f"{pad}allocate {c.name}[{c.size}] float32, ldm{x2}  // {c.nbytes} B")
            elif isinstance(s, DmaGet):
                c = s.cache
                shift = (
                    {s.loop: Bin("+", s.loop, Const(1))}
                    if s.mode == "prefetch"
                    else ({s.loop: Const(0)} if s.mode == "prologue" else None)
                )
                pre = "" if s.mode == "sync" else f"{s.mode} "
                out.append(
                    f"{pad}{pre}dma_get({c.name} <- {c.tensor.name}[{region(c, shift)}])  "
                    f"// {c.n_desc} desc x {c.count} blocks of {c.run * 4} B"
                )
            elif isinstance(s, DmaWait):
                out.append(f"{pad}dma_wait({s.cache.name})")
            elif isinstance(s, DmaPut):
                c = s.cache
                out.append(
                    f"{pad}dma_put({c.tensor.name}[{region(c)}] <- {c.name})  "
                    f"// {c.n_desc} desc x {c.count} blocks of {c.run * 4} B"
                )
            elif isinstance(s, Fill):
                out.append(f"{pad}{s.cache.name}[*] = {s.value}")
            elif isinstance(s, Block):
                p = pad
                for lp, k in zip(s.loops, s.kinds, strict=True):
                    tag = "" if k == "serial" else f"  // {k}"
                    out.append(f"{p}for ({names[lp]}, 0, {lp.extent}) {{{tag}")
                    p += "  "
                out.append(f"{p}{info.statement_text()}")
                for _ in s.loops:
                    p = p[:-2]
                    out.append(f"{p}}}")

    emit(func.body, 1)
    out.append("}")
    return "\n".join(out)
