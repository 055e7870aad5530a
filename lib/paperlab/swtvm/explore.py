"""Logic of the schedule explorer widget: apply template knobs, get footprint, DMA block, time and code."""

from __future__ import annotations

import numpy as np

from paperlab.compiler import ops
from paperlab.compiler.codegen_c import emit_x86
from paperlab.compiler.cost import estimate
from paperlab.compiler.ir import print_ir
from paperlab.compiler.lower import LDMOverflowError, lower
from paperlab.compiler.schedule import ScheduleError
from paperlab.sunway.arch import SW26010
from paperlab.sunway.rlc import bcast_time
from paperlab.swtvm import schedules as S

__all__ = ["point", "scatter", "with_rlc"]


def point(
    op: ops.Op, tiles: dict, vec: str | None = None, double_buffer: bool = True, spec: SW26010 | None = None
) -> dict:
    """Lower one template point of ``op``. Returns ``feasible``, ``message`` (the error when not),
    ``footprint`` (bytes, also for over-budget tiles), ``block`` (smallest DMA block, bytes), ``time_us``,
    ``bound``, ``gflops`` and the ``ir`` / ``c`` text (empty when infeasible)."""
    spec = spec or SW26010()
    big = spec.replace(ldm_bytes=1 << 40, ldm_reserved=0)
    try:
        sch = S.template(op, tiles, vec=vec, double_buffer=double_buffer)
        probe = lower(sch, big, name=op.name)
    except (ScheduleError, ValueError) as e:
        return {
            "feasible": False,
            "message": f"{type(e).__name__}: {e}",
            "footprint": None,
            "block": None,
            "time_us": None,
            "bound": None,
            "gflops": None,
            "ir": "",
            "c": "",
        }
    out = {"footprint": probe.info.footprint, "block": min(4 * c.run for c in probe.info.caches)}
    try:
        func = lower(S.template(op, tiles, vec=vec, double_buffer=double_buffer), spec, name=op.name)
    except LDMOverflowError as e:
        return {
            **out,
            "feasible": False,
            "message": f"LDMOverflowError: {e}",
            "time_us": None,
            "bound": None,
            "gflops": None,
            "ir": "",
            "c": "",
        }
    rep = estimate(func, spec)
    return {
        **out,
        "feasible": True,
        "message": "ok",
        "time_us": rep.time * 1e6,
        "bound": rep.bound,
        "gflops": op.flops / rep.time / 1e9,
        "ir": print_ir(func),
        "c": emit_x86(func, runtime=False),
    }


def scatter(
    op: ops.Op, n: int, rng: np.random.Generator, spec: SW26010 | None = None
) -> dict[str, np.ndarray]:
    """``n`` random template points: footprint (bytes), modelled time (s; NaN when over the LDM limit),
    smallest DMA block (bytes) and feasibility."""
    spec = spec or SW26010()
    space = S.space_for(op, cap=None, spec=spec)
    fp, tm, blk, ok = [], [], [], []
    for _ in range(n):
        p = {k: v[int(rng.integers(len(v)))] for k, v in space.knobs.items()}
        r = point(op, {k: v for k, v in p.items() if k != "vec"}, vec=p["vec"], spec=spec)
        if r["footprint"] is None:
            continue
        fp.append(r["footprint"])
        blk.append(r["block"])
        ok.append(r["feasible"])
        tm.append(r["time_us"] * 1e-6 if r["feasible"] else np.nan)
    return {"footprint": np.array(fp), "time": np.array(tm), "block": np.array(blk), "feasible": np.array(ok)}


def with_rlc(func, buffer: str, spec: SW26010 | None = None) -> dict:
    """What if ``buffer`` (e.g. the conv weight tile ``"W_ldm"``) were DMA-loaded by one CPE per mesh column and
    broadcast down the column by RLC? DMA bytes of that buffer / 8, plus one column broadcast of the tile per
    copy on the compute side. Assumes the 8 CPEs of a column need the same tile (a schedule whose CPE-bound loop
    keeps the weights shared, [D]). Returns both times (s) and the speed-up."""
    spec = spec or SW26010()
    names = {c.name: c for c in func.info.caches}
    if buffer not in names:
        raise ValueError(f"buffer must be one of {sorted(names)}, got {buffer!r}")
    rows = spec.mesh[0]
    base = estimate(func, spec)
    rlc = estimate(
        func,
        spec,
        dma_scale={buffer: 1 / rows},
        extra_comp={buffer: bcast_time(names[buffer].nbytes, "col", spec)},
    )
    return {
        "time": base.time,
        "time_rlc": rlc.time,
        "speedup": base.time / rlc.time,
        "bound": base.bound,
        "bound_rlc": rlc.bound,
    }
