"""Bound inference, DMA plans, LDM footprint and check, and schedule validation in lowering."""

import pytest

from paperlab.compiler import ops
from paperlab.compiler.ir import evaluate, print_ir
from paperlab.compiler.lower import LDMOverflowError, dma_plan, lower
from paperlab.compiler.schedule import ScheduleError, create_schedule
from paperlab.swtvm import schedules as S


def _tiled_mm(M=128, tile=(32, 32, 16), db=False):
    op = ops.matmul(M, M, M)
    s = create_schedule(op.output)
    st = s[op.output]
    i, j, k = st.leaves
    io, ii = st.split(i, tile[0])
    jo, ji = st.split(j, tile[1])
    ko, ki = st.split(k, tile[2])
    st.reorder(io, jo, ko, ii, ki, ji)
    st.parallel_cpe(io)
    a = s.cache_read(op.inputs[0], "ldm", [op.output]).compute_at(st, ko)
    if db:
        a.double_buffer()
    s.cache_read(op.inputs[1], "ldm", [op.output]).compute_at(st, ko)
    s.cache_write(op.output, "ldm").compute_at(st, jo)
    return op, s, (io, jo, ko)


def test_bound_inference_matmul_tile():
    op, s, (io, jo, ko) = _tiled_mm()
    f = lower(s)
    A = f.info.cache_of(op.inputs[0])
    assert A.shape == (32, 16)
    for vio, vko in [(0, 0), (2, 5), (3, 7)]:
        env = {io: vio, jo: 1, ko: vko}
        assert [evaluate(b, env) for b in A.bases] == [vio * 32, vko * 16]


def test_bound_inference_conv_stride2_pad1_halo():
    op = ops.conv2d(4, 16, 16, 8, 3, stride=2, pad=1)
    assert op.inputs[0].shape == (4, 17, 17)  # rows the kernel touches: (8 - 1) * 2 + 3
    f = S.lower_point(op, {"f": 8, "y": 4, "x": 8, "c": 2})
    X = f.info.cache_of(op.inputs[0])
    assert X.shape == (2, (4 - 1) * 2 + 3, 17)


def test_dma_plan_hand_cases():
    p = dma_plan((32, 16), (128, 128))
    assert (p["run"] * 4, p["count"], p["stride"] * 4, p["n_desc"]) == (64, 32, 512, 1)
    p = dma_plan((32, 128), (128, 128))
    assert (p["run"], p["count"], p["n_desc"]) == (32 * 128, 1, 1)
    p = dma_plan((2, 3, 5), (4, 10, 10))
    assert (p["run"], p["count"], p["stride"], p["loop_dims"], p["n_desc"]) == (5, 3, 10, (0,), 2)
    p = dma_plan((1, 1, 7), (4, 10, 10))
    assert (p["run"], p["count"], p["n_desc"]) == (7, 1, 1)
    with pytest.raises(ValueError, match="global_shape"):
        dma_plan((5, 5), (4, 10))


def test_footprint_doubles_for_double_buffer():
    _, s1, _ = _tiled_mm(db=False)
    _, s2, _ = _tiled_mm(db=True)
    f1, f2 = lower(s1), lower(s2)
    assert f1.info.footprint == 4 * (32 * 16 + 16 * 32 + 32 * 32)
    assert f2.info.footprint - f1.info.footprint == 4 * 32 * 16


def test_ldm_overflow_names_buffers_total_and_limit():
    op = ops.matmul(256, 256, 256)
    with pytest.raises(LDMOverflowError, match=r"A_ldm=.*B_ldm=.*C_ldm=.*total \d+ B > usable 61440 B"):
        S.lower_point(op, {"i": 64, "j": 128, "k": 64})


def test_missing_cache_and_partial_reduction_raise():
    op = ops.matmul(16, 16, 16)
    s = create_schedule(op.output)
    with pytest.raises(ScheduleError, match="cache_write"):
        lower(s)
    st = s[op.output]
    i, j, k = st.leaves
    s.cache_write(op.output, "ldm").compute_at(st, i)
    with pytest.raises(ScheduleError, match="input A needs cache_read"):
        lower(s)
    s.cache_read(op.inputs[0], "ldm", [op.output]).compute_at(st, k)
    s.cache_read(op.inputs[1], "ldm", [op.output]).compute_at(st, k)
    st.reorder(k, i)
    with pytest.raises(ScheduleError, match="reduction loop 'k' is outside"):
        lower(s)


def test_print_ir_shows_dma_and_ldm():
    _, s, _ = _tiled_mm(db=True)
    text = print_ir(lower(s))
    assert "allocate A_ldm[512] float32, ldm x2" in text
    assert "prefetch dma_get(A_ldm" in text and "dma_put(C[" in text
    assert "1 desc x 32 blocks of 64 B" in text
