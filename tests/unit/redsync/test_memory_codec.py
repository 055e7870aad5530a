"""Residual bookkeeping (exact), momentum correction against a float64 reference, warm-up, codec."""

import pytest
import torch

from paperlab.redsync.codec import INT32_LIMIT, SparseMessage, decompress, pack, sign_mean_quantize, unpack
from paperlab.redsync.memory import MomentumCorrectionMemory, ResidualMemory, make_memory, warmup_density
from paperlab.redsync.selection import ExactTopK


def test_one_step_sent_plus_residual_is_accumulated_bitwise():
    g0 = torch.Generator().manual_seed(0)
    mem = ResidualMemory()
    mem.compensate("w", torch.randn(500, generator=g0))
    v = mem.compensate("w", torch.randn(500, generator=g0))
    accumulated = v.clone()
    idx = ExactTopK().select(v, 17)
    sent = torch.zeros(500).index_put_((idx,), v[idx])
    mem.update("w", idx)
    assert torch.equal(sent + mem.residual("w"), accumulated)
    assert torch.count_nonzero(mem.residual("w")[idx]) == 0


def test_many_steps_integer_gradients_conserve_mass_bitwise():
    g0 = torch.Generator().manual_seed(1)
    mem, total_sent, total_g = (
        ResidualMemory(),
        torch.zeros(300, dtype=torch.float64),
        torch.zeros(300, dtype=torch.float64),
    )
    for _ in range(40):
        g = torch.randint(-50, 50, (300,), generator=g0).double()
        total_g += g
        v = mem.compensate("w", g)
        idx = ExactTopK().select(v, 5)
        total_sent.index_add_(0, idx, v[idx])
        mem.update("w", idx)
    assert torch.equal(total_sent + mem.residual("w"), total_g)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_correction_matches_float64_reference(nesterov):
    g0 = torch.Generator().manual_seed(2)
    m, n, k = 0.9, 200, 7
    mem = MomentumCorrectionMemory(m, nesterov=nesterov)
    u, v = torch.zeros(n, dtype=torch.float64), torch.zeros(n, dtype=torch.float64)
    for _ in range(50):
        g = torch.randn(n, generator=g0, dtype=torch.float64)
        if nesterov:
            u = (u + g) * m
            v = v + u + g
        else:
            u = m * u + g
            v = v + u
        idx = torch.sort(v.abs(), descending=True).indices[:k]
        sent_ref = v[idx].clone()
        u[idx] = 0
        v[idx] = 0
        vv = mem.compensate("w", g)
        got_idx = ExactTopK().select(vv, k)
        assert set(got_idx.tolist()) == set(idx.tolist())
        torch.testing.assert_close(vv[idx], sent_ref, rtol=0, atol=1e-12)
        mem.update("w", got_idx)
    torch.testing.assert_close(mem.v["w"], v, rtol=0, atol=1e-12)
    torch.testing.assert_close(mem.u["w"], u, rtol=0, atol=1e-12)


def test_density_one_leaves_zero_residual_and_zero_momentum():
    for mem in (ResidualMemory(), MomentumCorrectionMemory(0.9)):
        for s in range(3):
            g = torch.randn(50, generator=torch.Generator().manual_seed(s))
            v = mem.compensate("w", g)
            mem.update("w", ExactTopK().select(v, 50))
            assert torch.count_nonzero(mem.residual("w")) == 0
            if isinstance(mem, MomentumCorrectionMemory):
                assert torch.count_nonzero(mem.u["w"]) == 0


def test_warmup_schedules():
    code = [warmup_density(e, 1e-3, 4) for e in range(6)]
    assert [round(d, 5) for d in code[:4]] == [0.25119, 0.0631, 0.01585, 0.00398]
    assert code[4] == code[5] == 1e-3
    paper = [warmup_density(e, 1e-3, 4, "dgc-paper") for e in range(5)]
    assert paper == [0.25, 0.0625, 0.015625, 0.00390625, 0.001]


def test_memory_and_warmup_bad_arguments():
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError, match="momentum"):
            MomentumCorrectionMemory(bad)
    with pytest.raises(ValueError, match="memory"):
        make_memory("ef21")
    with pytest.raises(ValueError, match="final"):
        warmup_density(0, 0.0)
    with pytest.raises(ValueError, match="schedule"):
        warmup_density(0, 0.01, 4, "linear")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_pack_unpack_roundtrip_bitwise(dtype):
    tiny = torch.finfo(dtype).tiny / 4  # a subnormal
    vals = [
        torch.tensor([-0.0, tiny, float("inf"), -float("inf"), 1.5], dtype=dtype),
        torch.zeros(0, dtype=dtype),
        torch.tensor([3.25], dtype=dtype),
    ]
    idx = [torch.tensor([0, 5, 9, 2, 7]), torch.zeros(0, dtype=torch.int64), torch.tensor([99])]
    msgs = [SparseMessage(v, i, 100) for v, i in zip(vals, idx, strict=True)]
    buf = pack(msgs)
    assert buf.dtype == torch.int32
    out = unpack(buf, [100, 100, 100], dtype)
    for a, b in zip(msgs, out, strict=True):
        assert torch.equal(
            a.values.view(torch.int8 if dtype == torch.float32 else torch.int16),
            b.values.view(torch.int8 if dtype == torch.float32 else torch.int16),
        )
        assert torch.equal(a.indices, b.indices)


def test_pack_refuses_huge_layers_and_mixed_dtypes():
    with pytest.raises(ValueError, match="2\\^31"):
        pack([SparseMessage(torch.ones(1), torch.zeros(1, dtype=torch.int64), INT32_LIMIT)])
    with pytest.raises(TypeError, match="dtype"):
        pack(
            [
                SparseMessage(torch.ones(1), torch.zeros(1, dtype=torch.int64), 5),
                SparseMessage(torch.ones(1, dtype=torch.float64), torch.zeros(1, dtype=torch.int64), 5),
            ]
        )


def test_decompress_is_the_mean_of_scattered_vectors():
    g0 = torch.Generator().manual_seed(5)
    n, p = 1000, 3
    msgs = []
    for _ in range(p):
        idx = torch.randperm(n, generator=g0)[:40]
        msgs.append(SparseMessage(torch.randn(40, generator=g0, dtype=torch.float64), idx, n))
    expected = sum(torch.zeros(n, dtype=torch.float64).scatter_(0, m.indices, m.values) for m in msgs) / p
    got = decompress(msgs, torch.full((n,), 7.0, dtype=torch.float64), p)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-15)


def test_sign_mean_quantize_keeps_the_stronger_sign():
    m = SparseMessage(torch.tensor([3.0, -1.0, 5.0, -2.0]), torch.tensor([0, 1, 2, 3]), 10)
    q = sign_mean_quantize(m)
    assert q.indices.tolist() == [0, 2] and q.values.tolist() == [4.0, 4.0]
