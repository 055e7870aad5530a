"""T1/T2 as property tests: random valid schedules of every operator equal numpy, on the emulator and as
gcc-compiled C, and the static LDM/DMA accounting equals both runtimes' counters exactly."""

import re

import numpy as np
import pytest

from paperlab.compiler import build, codegen_c, ops
from paperlab.compiler.cost import static_counts
from paperlab.swtvm import configs
from paperlab.swtvm import experiments as E

CFG = configs.for_budget("smoke")
OPS = E.functional_ops(CFG)


def _schedules():
    rng = np.random.default_rng(1)
    out = []
    for n, op in enumerate(OPS):
        for m, (point, _) in enumerate(E.random_schedules(op, 3, rng)):
            out.append((n, m, point))
    return out


SCHEDULES = _schedules()


def test_every_operator_got_schedules():
    assert {n for n, _, _ in SCHEDULES} == set(range(len(OPS)))


@pytest.mark.parametrize("n,m,point", SCHEDULES, ids=lambda v: str(v) if not isinstance(v, dict) else "")
def test_emulator_equals_numpy_and_counts_match(n, m, point):
    op = OPS[n]
    func = E.S.lower_point(op, {k: v for k, v in point.items() if k != "db"}, double_buffer=point["db"])
    r = E.check_schedule(op, func, op.random_inputs(np.random.default_rng(n * 10 + m)))
    assert r["rel_err"] <= 1e-5
    assert r["counts_equal"], r["detail"]
    assert r["ldm_static"] == r["ldm_emulator"]


@pytest.mark.skipif(not build.compiler_available(), reason="gcc not on the PATH")
def test_gcc_kernels_equal_numpy_and_counters():
    funcs, cases = [], []
    for n, m, point in SCHEDULES:
        op = OPS[n]
        f = E.S.lower_point(op, {k: v for k, v in point.items() if k != "db"}, double_buffer=point["db"])
        f.name = f"k{n}_{m}"
        funcs.append(f)
        cases.append(op)
    kernels = build.build(funcs)  # one translation unit, one gcc call (cached by source hash)
    rng = np.random.default_rng(0)
    for f, op in zip(funcs, cases, strict=True):
        xs = op.random_inputs(rng)
        out, stats = kernels[f.name](*xs)
        ref = op.reference(*xs)
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())
        sc = static_counts(f)
        for key in ("ldm_peak", "get_bytes", "put_bytes", "n_desc"):
            np.testing.assert_array_equal(getattr(stats, key), sc[key], err_msg=f"{f.name} {key}")


@pytest.mark.skipif(not build.compiler_available(), reason="gcc not on the PATH")
def test_built_kernel_rejects_bad_arrays():
    op = ops.matmul(8, 8, 8)
    f = E.S.lower_point(op, {"i": 4, "j": 8, "k": 4})
    k = build.build([f])["C"]
    a, b = op.random_inputs(np.random.default_rng(0))
    with pytest.raises(TypeError, match="argument A must be a float32"):
        k(a.astype(np.float64), b)
    with pytest.raises(ValueError, match="argument B must be C-contiguous"):
        k(a, np.asfortranarray(np.ones((8, 8), np.float32) + np.eye(8, dtype=np.float32)))
    with pytest.raises(ValueError, match="argument A must have shape"):
        k(np.zeros((4, 8), np.float32), b)


def test_emit_sunway_structure():
    op = ops.matmul(32, 32, 32)
    f = E.S.lower_point(op, {"i": 8, "j": 16, "k": 8}, double_buffer=False)
    host, slave = codegen_c.emit_sunway(f)
    assert host.count("athread_spawn(") == 1 and host.count("athread_join()") == 1
    assert "athread_get_id" in slave and "malloc" not in slave
    assert "__thread_local float A_ldm[64]" in slave and "athread_put(" in slave


def test_sunway_double_buffering_keeps_every_prefetch_in_flight():
    """Each buffer waits on its own reply counter, so A's prefetch still overlaps the compute block.

    With one shared counter (the old ordering: wait A, prefetch A, wait B), B's wait also waited for A's
    just-issued prefetch and nothing overlapped: the checker below then finds no counter in flight.
    """
    op = ops.matmul(64, 64, 64)
    f = E.S.lower_point(op, {"i": 8, "j": 16, "k": 8}, double_buffer=True)
    _, slave = codegen_c.emit_sunway(f)
    reads = [c.name for c in f.info.caches if c.kind == "read" and c.double_buffered]
    assert len(reads) == 2
    assert codegen_c.in_flight_at_compute(slave) == set(reads)
    shared = re.sub(r"reply_\w+", "reply", re.sub(r"want_\w+", "want", slave))  # the old single counter
    assert codegen_c.in_flight_at_compute(shared) == {reads[-1]}  # B's wait drained A's prefetch


def test_emit_x86_is_self_contained():
    op = ops.relu(2, 4, 8)
    src = codegen_c.emit_x86(E.S.lower_point(op, {"c": 1, "y": 2, "x": 8}))
    assert "ldm_malloc" in src and "void run_Y(" in src and "#include" in src


def test_schedule_without_cpe_binding_runs_on_cpe0():
    from paperlab.compiler.lower import lower
    from paperlab.compiler.schedule import create_schedule

    op = ops.matmul(16, 16, 16)
    s = create_schedule(op.output)
    st = s[op.output]
    i, j, k = st.leaves
    ko, ki = st.split(k, 4)
    s.cache_read(op.inputs[0], "ldm", [op.output]).compute_at(st, ko).double_buffer()
    s.cache_read(op.inputs[1], "ldm", [op.output]).compute_at(st, ko)
    s.cache_write(op.output, "ldm").compute_at(st, j)
    f = lower(s)
    a, b = op.random_inputs(np.random.default_rng(0))
    r = E.check_schedule(op, f, [a, b])
    assert r["rel_err"] <= 1e-5 and r["counts_equal"]
    assert static_counts(f)["get_bytes"][1:].sum() == 0
    if build.compiler_available():
        out, stats = build.build([f])["C"](a, b)
        np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(stats.n_desc, static_counts(f)["n_desc"])
