import numpy as np
import pytest

from paperlab.sunway import cost, rlc
from paperlab.sunway.emu import CoreGroup, EmulatorDeadlock, LDMOverflowError, RLCError, cpe_coords, cpe_id
from paperlab.sunway.kernels import panel_gemm, summa_gemm, summa_kernel, summa_sources


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("tile, K, blocks", [(4, 32, 1), (8, 128, 1), (2, 48, 2)])
def test_summa_equals_numpy(dtype, tol, tile, K, blocks):
    rng = np.random.default_rng(tile + K)
    M = N = 8 * tile * blocks
    A, B = rng.standard_normal((M, K)).astype(dtype), rng.standard_normal((K, N)).astype(dtype)
    ref = A.astype(np.float64) @ B.astype(np.float64)
    kb = K // 8 if K % (8 * tile) else tile
    for fn in (summa_gemm, panel_gemm):
        C, _ = fn(CoreGroup(), A, B, tile=tile, k_tile=kb)
        assert np.linalg.norm(C - ref) / np.linalg.norm(ref) <= tol


def test_traffic_identity_exactly_eight():
    rng = np.random.default_rng(1)
    for tile, K, kb in [(4, 32, 4), (8, 128, 8), (4, 64, 2)]:
        M = N = 16 * tile
        A = rng.standard_normal((M, K)).astype(np.float32)
        B = rng.standard_normal((K, N)).astype(np.float32)
        _, r_rlc = summa_gemm(CoreGroup(), A, B, tile, kb)
        _, r_pan = panel_gemm(CoreGroup(), A, B, tile, kb)
        assert int(r_pan.get_bytes.sum()) == 8 * int(r_rlc.get_bytes.sum())
        assert int(r_pan.put_bytes.sum()) == int(r_rlc.put_bytes.sum()) == M * N * 4
        for flag, rep in ((True, r_rlc), (False, r_pan)):
            tr = rlc.summa_traffic(M, N, K, tile, rlc=flag)
            assert tr["a_bytes"] + tr["b_bytes"] == int(rep.get_bytes.sum())
            assert tr["c_bytes"] == int(rep.put_bytes.sum())
        assert r_rlc.flops.sum() == r_pan.flops.sum() == 2 * M * N * K


def test_ldm_peak_equals_plan_and_counters():
    A = np.ones((64, 64), np.float32)
    _, rep = summa_gemm(CoreGroup(), A, A, 8, 8)
    assert set(rep.ldm_peak) == {sum(cost.gemm_ldm_plan(8, 8, rlc=True).values())}
    # each step: 8 row and 8 column broadcasts of (8 x 8 fp32 = 256 B = 8 units); 8 steps
    assert rep.rlc_row_units.sum() == rep.rlc_col_units.sum() == 8 * 8 * 8
    assert rep.rlc_recv_units.sum() == 2 * 8 * 8 * 7 * 8
    _, pan = panel_gemm(CoreGroup(), A, A, 8, 8)
    assert set(pan.ldm_peak) == {sum(cost.gemm_ldm_plan(8, 8, rlc=False).values())}
    assert pan.rlc_msgs.sum() == 0


def test_per_cpe_kernel_matches_vectorised():
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((32, 64)).astype(np.float32), rng.standard_normal((64, 32)).astype(np.float32)
    cg = CoreGroup()
    C_vec, rep_vec = summa_gemm(cg, A, B, 4, 4)
    C = np.zeros((32, 32), np.float32)
    rep = cg.spawn(summa_kernel, A, B, C, 4, 4)
    np.testing.assert_array_equal(C, C_vec)
    assert rep.totals() == rep_vec.totals()
    assert rep.timeline().total == pytest.approx(rep_vec.timeline().total)


def test_summa_sources():
    a, b = summa_sources(3)
    assert a[5, 6] == cpe_id(5, 3) and b[5, 6] == cpe_id(3, 6)


def test_id_mapping_round_trips():
    cg = CoreGroup()
    for i in range(64):
        r, c = cpe_coords(i)
        assert cpe_id(r, c) == i and cg.cpes[i].row == i // 8 and cg.cpes[i].col == i % 8
        assert cg.cpe(r, c).id == i


def test_ldm_overflow_names_buffer_and_bytes():
    cg = CoreGroup()
    p = cg.cpes[5]
    p.ldm.alloc((10000,), np.float32, "big")
    with pytest.raises(
        LDMOverflowError, match=r"CPE 5: LDM buffer 'more' asks 40000 B but only 21440 B are free"
    ):
        p.ldm.alloc((10000,), np.float32, "more")
    with pytest.raises(LDMOverflowError, match="'c'"):
        CoreGroup().alloc("c", (128, 128), np.float32)


def test_dma_direction_checks():
    cg = CoreGroup()
    p = cg.cpes[0]
    buf = p.ldm.alloc((4,), np.float32, "x")
    mem = np.arange(4, dtype=np.float32)
    p.dma_get(buf, mem)
    with pytest.raises(TypeError, match="dst of dma_get"):
        p.dma_get(mem.copy(), mem)
    with pytest.raises(TypeError, match="dst of dma_put"):
        p.dma_put(buf, buf)
    out = np.zeros(4, np.float32)
    p.dma_put(out, buf)
    np.testing.assert_array_equal(out, mem)
    rep = cg.report()
    assert rep.get_bytes[0] == 16 and rep.put_bytes[0] == 16 and rep.n_desc[0] == 2


def test_rlc_rules_and_deadlock():
    cg = CoreGroup()
    p = cg.cpes[0]
    x = p.ldm.alloc((8,), np.float32, "x")
    with pytest.raises(RLCError, match="no diagonal transfer"):
        p.send(9, x)
    with pytest.raises(RLCError, match="own column"):
        p.putr(0, x)
    with pytest.raises(RLCError, match="own row"):
        p.putc(0, x)

    def ping(cpe):
        buf = cpe.ldm.alloc((8,), np.float32, "b")
        if cpe.id == 0:
            buf[:] = 7
            cpe.send(1, buf)
        elif cpe.id == 1:
            buf[...] = yield from cpe.getr()
            assert buf[0] == 7
        yield

    rep = cg.spawn(ping)
    assert rep.rlc_row_units[0] == 1 and rep.rlc_recv_units[1] == 1

    def stuck(cpe):
        if cpe.id == 3:
            return
        yield from cpe.getc()

    with pytest.raises(EmulatorDeadlock, match="63 live CPEs wait"):
        cg.spawn(stuck)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: summa_gemm(CoreGroup(), np.ones((30, 32)), np.ones((32, 32))), "multiples"),
        (lambda: summa_gemm(CoreGroup(), np.ones((32, 32)), np.ones((16, 32))), "inner"),
        (lambda: summa_gemm(CoreGroup(), np.ones((32, 32)), np.ones((32, 32)), tile=-4), "tile"),
        (lambda: rlc.summa_traffic(32, 32, -1, 4), "K"),
        (lambda: rlc.rlc_time(0), "nbytes"),
        (lambda: rlc.rlc_time(32, hops=3), "hops"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rlc_time_and_bcast_equal_latency():
    assert rlc.rlc_time(32) == pytest.approx(12 / 1.45e9)
    assert rlc.bcast_time(256, "row") == rlc.rlc_time(256, 1) == rlc.bcast_time(256, "col")
    assert rlc.rlc_time(32, hops=2) == pytest.approx(23 / 1.45e9)
    assert rlc.tile_intensity(32, True) == 64 and rlc.tile_intensity(32, False) == 8


def test_ldm_free_and_peak():
    ldm = CoreGroup().cpes[0].ldm
    a = ldm.alloc((256,), np.float32)
    ldm.alloc((512,), np.float64)
    assert ldm.used_bytes == 1024 + 4096 == ldm.peak_bytes and a.dtype == np.float32
    ldm.free("buf0")
    ldm.alloc((16,), np.float32)  # a fresh automatic name, no clash with buf1
    assert ldm.used_bytes == 4096 + 64 and ldm.peak_bytes == 5120
    with pytest.raises(KeyError, match="nope"):
        ldm.free("nope")
