"""Cost model (double buffering), tuner against brute force, and the AOT memory plan and main.c."""

import math

import numpy as np
import pytest

from paperlab.compiler import aot, build, ops
from paperlab.compiler.cost import estimate
from paperlab.compiler.tune import exhaustive, search
from paperlab.sunway.cost import sequence_time
from paperlab.swtvm import cnn
from paperlab.swtvm import experiments as E
from paperlab.swtvm import schedules as S


def test_double_buffering_never_increases_time():
    rng = np.random.default_rng(3)
    for op in [ops.matmul(64, 64, 64), ops.conv2d(8, 12, 12, 16, 3, pad=1), ops.dense(1, 512, 64)]:
        for point, _ in E.random_schedules(op, 8, rng, max_steps=10**9):
            p = {k: v for k, v in point.items() if k != "db"}
            try:
                t_db = estimate(S.lower_point(op, p, double_buffer=True)).time
            except ValueError:  # the doubled buffers may not fit
                continue
            t_no = estimate(S.lower_point(op, p, double_buffer=False)).time
            assert t_db <= t_no * (1 + 1e-12)


def test_closed_form_equals_sunway_sequence_time():
    op = ops.matmul(64, 64, 64)
    rep = estimate(S.lower_point(op, {"i": 8, "j": 64, "k": 8}, double_buffer=True))
    n = rep.n_phases
    c = np.full(n, (rep.t_comp + rep.t_dma_sync) / n)
    d = np.full(n, rep.t_dma_db / n)
    assert math.isclose(rep.time - rep.spawn, sequence_time(c, d, True), rel_tol=1e-12)
    assert E.db_bound_gap(rep) <= 0


def test_exhaustive_equals_brute_force_and_search_errors():
    space = S.space_for(ops.matmul(64, 64, 64), cap=5)
    ex = exhaustive(space)
    brute = min(space.evaluate(p)[0] for p in space.points())
    assert ex.time == brute and ex.evaluations == space.size
    for strategy in ("random", "greedy"):
        small = search(space, space.size // 10, strategy, 0)
        assert small.time >= ex.time and small.evaluations == space.size // 10
        assert len(small.best_so_far()) == small.evaluations
    assert search(space, space.size, "random", 1).time == ex.time  # full budget: every point, same optimum
    with pytest.raises(ValueError, match="strategy"):
        search(space, 10, "annealing")
    with pytest.raises(ValueError, match="budget"):
        search(space, 0)


def test_memory_plan_never_overlaps_live_buffers():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 9))
        sizes = {f"b{i}": int(rng.integers(1, 100)) for i in range(n)}
        iv = {}
        for i in range(n):
            a = int(rng.integers(-1, 6))
            iv[f"b{i}"] = (a, a + int(rng.integers(0, 4)))
        plan = aot.plan_memory(sizes, iv)
        assert plan.overlaps() == []
        assert plan.arena <= sum(sizes.values())
    with pytest.raises(ValueError, match="same buffers"):
        aot.plan_memory({"a": 1}, {"b": (0, 1)})


def test_small_cnn_plan_matches_torch():
    g = cnn.small_cnn(3, 8, 8, 4, np.random.default_rng(0), tune_budget=15)
    plan = aot.plan_memory(g.buffers(), g.intervals())
    x = np.random.default_rng(1).random((3, 8, 8), dtype=np.float32)
    ref = cnn.reference(g, x)
    np.testing.assert_allclose(aot.run_plan(g, plan, x), ref, rtol=1e-5, atol=1e-5)
    assert plan.arena < sum(g.buffers().values())
    main = aot.emit_main(g, plan)
    assert main.count("run_") >= 6 and "int main(" in main and "malloc(" not in main.split("int main(")[1]
    if build.compiler_available():
        np.testing.assert_allclose(aot.build_and_run(g, plan, x), ref, rtol=1e-5, atol=1e-5)


def test_greedy_within_5_percent_of_exhaustive_with_10_percent_budget():
    space = S.space_for(ops.matmul(128, 128, 128))
    opt = exhaustive(space).time
    gaps = [search(space, space.size // 10, "greedy", s).time / opt - 1 for s in range(3)]
    assert np.median(gaps) <= 0.05, gaps


def test_estimate_what_if_knobs():
    f = S.lower_point(ops.conv2d(16, 14, 14, 32, 3, pad=1), {"f": 8, "y": 2, "x": 14, "c": 4})
    base = estimate(f)
    cheaper = estimate(f, dma_scale={"W_ldm": 0.125})
    assert cheaper.time <= base.time and cheaper.dma_bytes < base.dma_bytes
    with pytest.raises(ValueError, match="unknown LDM buffers"):
        estimate(f, dma_scale={"Z_ldm": 0.5})
