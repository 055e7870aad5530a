"""Tensor expressions and schedule primitives: affine check and clear errors on misuse."""

import pytest

from paperlab.compiler import ops, te
from paperlab.compiler.schedule import ScheduleError, create_schedule


def test_affine_coefficients():
    y, kh = te.Var("y", 8), te.Var("kh", 3, "reduce")
    coefs, const = te.affine(y * 2 + kh - 1)
    assert coefs == {y: 2, kh: 1} and const == -1


def test_non_affine_index_raises():
    A = te.placeholder((8, 8), "A")
    with pytest.raises(ValueError, match="not affine"):
        te.compute((4, 4), lambda i, j: A[i * j, j], "C")


def test_negative_coefficient_and_bad_inputs():
    A = te.placeholder((8,), "A")
    with pytest.raises(ValueError, match="negative coefficient"):
        te.compute((4,), lambda i: A[7 - i], "C")
    with pytest.raises(ValueError, match="dtype"):
        te.placeholder((4,), "A", dtype="float64")
    with pytest.raises(ValueError, match="shape"):
        te.placeholder((4, 0), "A")
    with pytest.raises(ValueError, match="dims"):
        A[1, 2]


def _mm():
    op = ops.matmul(16, 16, 16)
    s = create_schedule(op.output)
    return op, s, s[op.output]


def test_split_errors_name_stage_and_loop():
    _, _, st = _mm()
    i, j, k = st.leaves
    with pytest.raises(ScheduleError, match="positive int"):
        st.split(i, 0)
    with pytest.raises(ScheduleError, match="divide the extent 16 of loop 'ci'"):
        st.split(i, 32)
    with pytest.raises(ScheduleError, match="divide"):
        st.split(i, 3)
    io, ii = st.split(i, 4)
    with pytest.raises(ScheduleError, match="not a leaf loop.*already split"):
        st.split(i, 2)


def test_split_of_fused_axis_raises():
    _, _, st = _mm()
    i, j, k = st.leaves
    f = st.fuse(i, j)
    with pytest.raises(ScheduleError, match="fused loop"):
        st.split(f, 4)
    with pytest.raises(ScheduleError, match="not a leaf loop.*fused"):
        st.split(i, 4)


def test_parallel_reorder_vectorize_errors():
    _, _, st = _mm()
    i, j, k = st.leaves
    with pytest.raises(ScheduleError, match="reduction loop"):
        st.parallel_cpe(k)
    st.parallel_cpe(i)
    with pytest.raises(ScheduleError, match="already has a loop bound"):
        st.parallel_cpe(j)
    with pytest.raises(ScheduleError, match="not the innermost"):
        st.vectorize(j)
    with pytest.raises(ScheduleError, match="must be adjacent"):
        st.fuse(i, k)
    with pytest.raises(ScheduleError, match="twice"):
        st.reorder(i, i)


def test_cache_errors_and_compute_at_outside_consumer():
    op, s, st = _mm()
    other = ops.relu(2, 2, 4)
    with pytest.raises(ScheduleError, match="not read by stage"):
        s.cache_read(other.inputs[0], "ldm", [op.output])
    with pytest.raises(ScheduleError, match="scope must be 'ldm'"):
        s.cache_read(op.inputs[0], "global", [op.output])
    AL = s.cache_read(op.inputs[0], "ldm", [op.output])
    s2 = create_schedule(other.output)
    with pytest.raises(ScheduleError, match="consumed by stage 'C'"):
        AL.compute_at(s2[other.output], s2[other.output].leaves[0])
    with pytest.raises(ScheduleError, match="not a leaf loop"):
        AL.compute_at(st, s2[other.output].leaves[0])
    CL = s.cache_write(op.output, "ldm")
    with pytest.raises(ScheduleError, match="write cache"):
        CL.double_buffer()
