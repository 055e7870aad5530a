"""The swTVM experiments T1-T5 as library functions (the notebooks only call and plot them).

- :func:`functional_ops` / :func:`random_schedules` / :func:`check_schedule`: T1 (outputs equal numpy)
  and T2 (static LDM/DMA accounting equals the emulator's counters) over random valid schedules.
- :func:`speedup_table` / :func:`summarize`: T3, modelled naive vs tuned time per layer; T4's
  double-buffering ablation rides along (the tuned point re-lowered without double buffering).
- :func:`tuner_quality`: T5, random and greedy search against the exhaustive optimum.
"""

from __future__ import annotations

import math

import numpy as np

from paperlab.compiler import emulate, ops
from paperlab.compiler.cost import estimate, static_counts
from paperlab.compiler.lower import LDMOverflowError, lower
from paperlab.compiler.schedule import ScheduleError
from paperlab.compiler.tune import exhaustive, search
from paperlab.sunway.arch import SW26010
from paperlab.swtvm import schedules as S
from paperlab.swtvm.layers import LayerOp

__all__ = [
    "functional_ops",
    "random_schedules",
    "check_schedule",
    "speedup_table",
    "summarize",
    "tuner_quality",
    "t5_spaces",
    "db_bound_gap",
    "op_label",
]


def functional_ops(cfg) -> list[ops.Op]:
    """The T1 operators at the budget's small shapes: matmul, dense, conv (stride 1 pad 1; stride 2 pad 0),
    max pool, avg pool, relu."""
    C, H, W, F = cfg.conv
    pc, ph, pw = cfg.pool
    return [
        ops.matmul(*cfg.matmul),
        ops.dense(*cfg.dense),
        ops.conv2d(C, H, W, F, 3, stride=1, pad=1),
        ops.conv2d(C, H, W, F, 3, stride=2, pad=0),
        ops.max_pool2d(pc, ph, pw, 2, 2),
        ops.avg_pool2d(pc, ph, pw, 3, 1),
        ops.relu(pc, ph, pw),
    ]


def op_label(op: ops.Op) -> str:
    if op.kind == "conv2d":
        return f"conv2d s{op.params['stride']} p{op.params['pad']}"
    return op.kind


def random_schedules(
    op: ops.Op,
    n: int,
    rng: np.random.Generator,
    spec: SW26010 | None = None,
    max_steps: int = 1500,
    max_tries: int = 2000,
) -> list[tuple[dict, object]]:
    """``n`` distinct LDM-feasible random points of ``space_for(op)`` with their lowered functions
    (double buffering drawn at random too). Points whose emulation needs more than ``max_steps`` innermost
    block executions over all CPEs are skipped, to keep the Python emulator fast."""
    spec = spec or SW26010()
    space = S.space_for(op, cap=None, spec=spec)
    out, seen = [], set()
    for _ in range(max_tries):
        if len(out) >= n:
            break
        point = {k: v[int(rng.integers(len(v)))] for k, v in space.knobs.items()}
        db = bool(rng.integers(2))
        key = (tuple(point.values()), db)
        if key in seen:
            continue
        seen.add(key)
        try:
            func = S.lower_point(op, point, double_buffer=db, spec=spec)
        except (LDMOverflowError, ScheduleError):
            continue
        info = func.info
        if sum(info.n_exec(info.block_pos, c) for c in info.chunks() if c) > max_steps:
            continue
        out.append(({**point, "db": db}, func))
    return out


def check_schedule(op: ops.Op, func, inputs: list[np.ndarray]) -> dict:
    """Run ``func`` on the emulator: relative error against ``op.reference`` and whether every static count
    (LDM peak, DMA get/put bytes, descriptors, flops per CPE) equals the emulator's counter."""
    out, rep = emulate.run(func, *inputs)
    ref = op.reference(*inputs)
    scale = float(np.max(np.abs(ref))) or 1.0
    sc = static_counts(func)
    same = {
        k: bool(np.array_equal(sc[k], getattr(rep, k)))
        for k in ("ldm_peak", "get_bytes", "put_bytes", "n_desc")
    }
    same["flops"] = bool(np.allclose(sc["flops"], rep.flops))
    return {
        "rel_err": float(np.max(np.abs(out - ref)) / scale),
        "counts_equal": all(same.values()),
        "detail": same,
        "ldm_static": int(sc["ldm_peak"].max()),
        "ldm_emulator": int(rep.ldm_peak.max()),
    }


def speedup_table(
    layers: list[LayerOp], budget: int, seed: int = 0, spec: SW26010 | None = None
) -> list[dict]:
    """Per layer: modelled time of the naive baseline and of the tuned schedule (greedy search with
    ``budget`` evaluations), the speed-up, and the tuned point without double buffering (T4)."""
    spec = spec or SW26010()
    rows = []
    for ly in layers:
        naive = estimate(lower(S.naive_openacc_like(ly.op), spec), S.baseline_spec(spec))
        res = S.tuned(ly.op, budget, seed, spec=spec)
        if res.best is None:
            raise RuntimeError(f"{ly.net} {ly.name}: no LDM-feasible point in {budget} evaluations")
        tuned = res.report
        no_db = estimate(S.lower_point(ly.op, res.best, double_buffer=False, spec=spec))
        rows.append(
            {
                "net": ly.net,
                "layer": ly.name,
                "type": ly.type,
                "naive_ms": naive.time * 1e3,
                "tuned_ms": tuned.time * 1e3,
                "speedup": naive.time / tuned.time,
                "naive_bound": naive.bound,
                "tuned_bound": tuned.bound,
                "tuned_nodb_ms": no_db.time * 1e3,
                "db_gain": no_db.time / tuned.time,
                "db_gap": db_bound_gap(tuned),
                "ldm_kb": tuned.footprint / 1024,
                "block_B": tuned.min_block_bytes,
                "naive_block_B": naive.min_block_bytes,
                "naive_small_dma_ms": naive.t_dma_small * 1e3,
                "point": res.best,
                "gflops_tuned": ly.op.flops / tuned.time / 1e9,
            }
        )
    return rows


def recost(rows: list[dict], layers: list[LayerOp], spec: SW26010) -> list[dict]:
    """The rows of :func:`speedup_table` re-costed under another ``spec`` with the same naive and tuned points
    (a sensitivity check: the schedules stay fixed, only the model parameters change)."""
    out = []
    for r, ly in zip(rows, layers, strict=True):
        naive = estimate(lower(S.naive_openacc_like(ly.op), spec), S.baseline_spec(spec))
        tuned = estimate(S.lower_point(ly.op, r["point"], spec=spec))
        out.append(
            {
                **r,
                "naive_ms": naive.time * 1e3,
                "tuned_ms": tuned.time * 1e3,
                "speedup": naive.time / tuned.time,
            }
        )
    return out


def db_bound_gap(rep) -> float:
    """``T / (spawn + max(C, D) + prologue + epilogue) - 1`` of a double-buffered report, with ``C`` the
    compute plus synchronous DMA, ``D`` the double-buffered DMA, ``n`` phases, prologue ``D / n`` and
    epilogue ``C / n``. The overlap model gives ``-max(C, D) / (n T)`` exactly (never positive)."""
    n = rep.n_phases
    c, d = rep.t_comp + rep.t_dma_sync, rep.t_dma_db
    return rep.time / (rep.spawn + max(c, d) + d / n + c / n) - 1


def summarize(rows: list[dict]) -> dict:
    """Arithmetic means of the per-layer speed-ups of conv and FC layers, and their ratio."""
    conv = [r["speedup"] for r in rows if r["type"] == "conv"]
    fc = [r["speedup"] for r in rows if r["type"] == "fc"]
    cm, fm = float(np.mean(conv)), float(np.mean(fc))
    return {
        "conv_mean": cm,
        "fc_mean": fm,
        "ratio": cm / fm,
        "conv_std": float(np.std(conv)),
        "fc_std": float(np.std(fc)),
        "n_conv": len(conv),
        "n_fc": len(fc),
    }


def t5_spaces(budget: str) -> list[tuple[str, ops.Op, int | None]]:
    """The enumerable T5 spaces: (label, op, divisor cap); at most ~2,000 points each (300 at smoke)."""
    if budget == "smoke":
        return [("matmul 64^3", ops.matmul(64, 64, 64), 4)]
    return [
        ("matmul 128^3", ops.matmul(128, 128, 128), None),
        ("conv 8x16x16->32", ops.conv2d(8, 16, 16, 32, 3, pad=1), None),
        ("dense 1024->256", ops.dense(1, 1024, 256), None),
    ]


def tuner_quality(
    op: ops.Op, cap: int | None, seeds: list[int], frac: float = 0.1, spec: SW26010 | None = None
) -> dict:
    """Exhaustive optimum of ``space_for(op, cap)`` and, per strategy, the median over ``seeds`` of
    ``best_found / optimum - 1`` with ``ceil(frac * size)`` evaluations."""
    space = S.space_for(op, cap=cap, spec=spec)
    ex = exhaustive(space)
    times = np.array([t for _, t in ex.history])
    budget = max(1, math.ceil(frac * space.size))
    out = {
        "size": space.size,
        "budget": budget,
        "optimum_ms": ex.time * 1e3,
        "feasible": int(np.isfinite(times).sum()),
        "exhaustive_min_check": float(np.min(times)) == ex.time,
    }
    for strat in ("random", "greedy"):
        gaps = [search(space, budget, strat, s).time / ex.time - 1 for s in seeds]
        out[strat] = {"median_gap": float(np.median(gaps)), "gaps": [float(g) for g in gaps]}
    return out
