"""swTVM-style schedules: the tiled template, the naive "OpenACC-like" baseline, and the tuned schedule.

One **template** covers every operator (conv, dense, matmul, pooling, relu)::

    split every data axis by its tile;  split reduction axes whose tile is smaller than the extent
    order: [outer data (fused, bound to the 64 CPEs)] [outer reduce] [inner reduce] [inner data]
    cache_write(out) at the fused CPE loop; cache_read(every input) at the last outer reduce loop
    (or at the CPE loop); the innermost data axis is ``vec`` and is vectorised when its tile % 4 == 0

The baseline and the tuned schedule are both points of this template, fixed **before** any T3 number was
looked at (brief §2.3):

- :func:`naive_openacc_like`: output elements spread over the CPEs one at a time (tile 1 on the output
  channel / neuron), operands loaded for every output group with no reuse (conv: the ``KH`` input rows of
  one channel and that channel's ``KH x KW`` weights per step; dense: 256-byte chunks of the input and of
  the weight row per neuron), scalar code, no double buffering.
- :func:`tuned`: the tuner's best point under the LDM constraint, vectorised and double-buffered.

What the paper says about its baseline and what this project assumes (:data:`BASELINE_ASSUMPTIONS`);
:func:`baseline_spec` is the chip model the baseline is charged with.
"""

from __future__ import annotations

from paperlab.compiler import ops as cops
from paperlab.compiler.lower import lower
from paperlab.compiler.schedule import Schedule, create_schedule
from paperlab.compiler.tune import Space, TuneResult, search
from paperlab.sunway.arch import SW26010

__all__ = [
    "AXES",
    "BASELINE_ASSUMPTIONS",
    "baseline_spec",
    "divisors",
    "template",
    "naive_point",
    "naive_openacc_like",
    "space_for",
    "tuned",
]

#: The T3 baseline: what swTVM's v1 abstract states [P] and what the project assumes [D].
BASELINE_ASSUMPTIONS = (
    "[P] known: the baseline is hand-optimised OpenACC (Sunway swacc) on the same SW26010 core group, "
    "on the conv and FC layers of AlexNet and VGG-19; no per-layer code or numbers are public.",
    "[D] parallelisation: swacc's parallel loop spreads the outermost output loop (output channel / "
    "neuron) over the 64 CPEs, one output group at a time.",
    "[D] data: copyin clauses stage the operands of each output group into LDM with no reuse across "
    "output groups (conv: KH input rows of one channel + its KH x KW weights; FC: 256-byte chunks).",
    "[D] compute: loops compiled by the same back end (sw5cc) at the tuned code's pipeline efficiency "
    "eta_kernel, but scalar (no SIMD intrinsics): a 4x compute handicap, not eta_naive's 12x.",
    "[D] no double buffering; DMA charged with the calibrated model (per descriptor t0, per block "
    "t_block, shared bandwidth), the same model as the tuned code.",
)


def baseline_spec(spec: SW26010 | None = None) -> SW26010:
    """The chip model the OpenACC-like baseline is charged with: scalar code at ``eta_kernel``.

    The compiler's cost model charges non-vectorised loops at ``eta_naive``; the baseline's loops come from
    the same optimising back end as the tuned code (assumption 4 of :data:`BASELINE_ASSUMPTIONS`).
    """
    spec = spec or SW26010()
    return spec.replace(eta_naive=spec.eta_kernel)


AXES = {  # knob names of the template: data axes, then reduction axes (definition order)
    "matmul": (("i", "j"), ("k",)),
    "dense": (("b", "o"), ("i",)),
    "conv2d": (("f", "y", "x"), ("c", "kh", "kw")),
    "max_pool2d": (("c", "y", "x"), ("kh", "kw")),
    "avg_pool2d": (("c", "y", "x"), ("kh", "kw")),
    "relu": (("c", "y", "x"), ()),
}


def divisors(n: int, cap: int | None = None) -> list[int]:
    """Divisors of ``n`` (at most ``cap`` of them, spread log-evenly, always keeping 1 and ``n``)."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"n must be a positive int, got {n!r}")
    d = [k for k in range(1, n + 1) if n % k == 0]
    if cap is None or len(d) <= cap:
        return d
    idx = sorted({round(i * (len(d) - 1) / (cap - 1)) for i in range(cap)})
    return [d[i] for i in idx]


def _extents(op: cops.Op) -> dict[str, int]:
    data, red = AXES[op.kind]
    c = op.output.op
    return {
        **{n: a.extent for n, a in zip(data, c.axes, strict=True)},
        **{n: a.extent for n, a in zip(red, c.reduce_axes, strict=True)},
    }


def template(
    op: cops.Op,
    tiles: dict,
    vec: str | None = None,
    double_buffer: bool = True,
    vectorize: bool = True,
    reduce_inner: str = "outside",
) -> Schedule:
    """The tiled schedule of ``op`` (see the module docstring). Missing tiles default to the full extent.

    ``reduce_inner="middle"`` puts the inner reduction loops just outside the vector loop (``i, k, j`` for
    matmul: the x86-friendly order) instead of outside all inner data loops.
    """
    if op.kind not in AXES:
        raise ValueError(f"op.kind must be one of {sorted(AXES)}, got {op.kind!r}")
    data, red = AXES[op.kind]
    unknown = set(tiles) - set(data) - set(red)
    if unknown:
        raise ValueError(f"tiles has unknown axes {sorted(unknown)} for {op.kind} (axes: {data + red})")
    vec = vec or data[-1]
    if vec not in data:
        raise ValueError(f"vec must be a data axis of {op.kind} {data}, got {vec!r}")
    ext = _extents(op)
    out = op.output
    s = create_schedule(out)
    st = s[out]
    c = out.op
    outer_d, inner_d = {}, {}
    for n, ax in zip(data, c.axes, strict=True):
        outer_d[n], inner_d[n] = st.split(ax, int(tiles.get(n, ext[n])))
    outer_r, inner_r = [], []
    for n, ax in zip(red, c.reduce_axes, strict=True):
        t = int(tiles.get(n, ext[n]))
        if t < ext[n]:
            o, i = st.split(ax, t)
            outer_r.append(o)
            inner_r.append(i)
        else:
            inner_r.append(ax)
    if reduce_inner not in ("outside", "middle"):
        raise ValueError(f"reduce_inner must be 'outside' or 'middle', got {reduce_inner!r}")
    rest = [inner_d[n] for n in data if n != vec]
    inner_order = (
        [*inner_r, *rest, inner_d[vec]] if reduce_inner == "outside" else [*rest, *inner_r, inner_d[vec]]
    )
    st.reorder(*[outer_d[n] for n in data], *outer_r, *inner_order)
    f = outer_d[data[0]]
    for n in data[1:]:
        f = st.fuse(f, outer_d[n])
    st.parallel_cpe(f)
    s.cache_write(out, "ldm").compute_at(st, f)
    at = outer_r[-1] if outer_r else f
    for x in op.inputs:
        cs = s.cache_read(x, "ldm", [out]).compute_at(st, at)
        if double_buffer:
            cs.double_buffer()
    if vectorize and inner_d[vec].extent % 4 == 0:
        st.vectorize(inner_d[vec])
    return s


def _largest_divisor(n: int, limit: int) -> int:
    return max(d for d in divisors(n) if d <= limit)


def naive_point(op: cops.Op) -> dict:
    """Tiles of the naive OpenACC-like baseline (fixed rule, see the module docstring)."""
    e = _extents(op)
    if op.kind == "conv2d":
        return {"f": 1, "y": 1, "x": e["x"], "c": 1, "kh": e["kh"], "kw": e["kw"]}
    if op.kind == "dense":
        return {"b": 1, "o": 1, "i": _largest_divisor(e["i"], 64)}  # 256-byte chunks per neuron
    if op.kind == "matmul":
        return {"i": 1, "j": 1, "k": _largest_divisor(e["k"], 64)}
    data, red = AXES[op.kind]
    return {data[0]: 1, data[1]: 1, data[2]: e[data[2]], **{r: e[r] for r in red}}


def naive_openacc_like(op: cops.Op) -> Schedule:
    """The baseline schedule: no reuse, small DMA blocks, scalar code, no double buffering."""
    return template(op, naive_point(op), double_buffer=False, vectorize=False)


def space_for(op: cops.Op, cap: int = 12, spec: SW26010 | None = None, double_buffer: bool = True) -> Space:
    """Tuning space of ``op``: a divisor tile per axis (``kh``/``kw`` kept whole) and the vector axis."""
    data, red = AXES[op.kind]
    e = _extents(op)
    knobs = {n: divisors(e[n], cap) for n in data + red if n not in ("kh", "kw")}
    knobs["vec"] = list(data)

    def make(point: dict) -> Schedule:
        tiles = {k: v for k, v in point.items() if k != "vec"}
        return template(op, tiles, vec=point["vec"], double_buffer=double_buffer)

    return Space(knobs, make, spec or SW26010())


def tuned(
    op: cops.Op, budget: int, seed: int = 0, strategy: str = "greedy", spec: SW26010 | None = None
) -> TuneResult:
    """The tuner's best template point for ``op`` (modelled time, LDM-feasible, double-buffered)."""
    return search(space_for(op, spec=spec), budget, strategy, seed)


def lower_point(
    op: cops.Op,
    point: dict,
    double_buffer: bool = True,
    spec: SW26010 | None = None,
    reduce_inner: str = "outside",
):
    """Lower one template point (``vec`` key optional) to a PrimFunc."""
    tiles = {k: v for k, v in point.items() if k != "vec"}
    return lower(
        template(op, tiles, vec=point.get("vec"), double_buffer=double_buffer, reduce_inner=reduce_inner),
        spec or SW26010(),
        name=op.name,
    )
