import numpy as np
import pytest

from paperlab.sunway import cost
from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import CGSim, DmaOp, LDMOverflowError, Phase, RlcOp
from paperlab.sunway.dma import bw_cg, dma_time


def test_double_buffering_never_slower():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        c, d = rng.exponential(1e-5, n), rng.exponential(1e-5, n)
        plain = cost.sequence_time(c, d, False)
        db = cost.sequence_time(c, d, True)
        assert db <= plain + 1e-18
        assert db >= max(c.sum(), d.sum()) - 1e-18


def test_double_buffering_closed_form():
    c, d = np.array([1.0, 2.0, 3.0]), np.array([4.0, 1.0, 5.0])
    assert cost.sequence_time(c, d, True) == 4 + max(1, 1) + max(2, 5) + 3


def test_cgsim_phase_times_and_imbalance():
    spec = SW26010()
    ph = Phase(flops=1e6, dma=(DmaOp(4096),), rlc=(RlcOp(1024, count=2),))
    t_comp, t_dma, t_rlc = ph.times(spec, 64)
    assert t_comp == pytest.approx(1e6 / (11.6e9 * 0.6))
    assert t_dma == pytest.approx(spec.dma_t0 + spec.dma_t_block + 4096 / spec.dma_bw_cpe)
    assert t_rlc == pytest.approx((2 * 11 + 32) / 1.45e9)
    tl = CGSim(spec).run([ph] * 3)
    assert tl.total == pytest.approx(spec.spawn_overhead + 3 * (t_comp + t_dma + t_rlc))
    uneven = CGSim(spec).run([[ph] * 3] + [[ph]] * 63)
    assert uneven.critical_cpe == 0 and uneven.per_cpe[1] < uneven.per_cpe[0]
    assert CGSim(spec).run([ph], mpe_seconds=1e-3, launches=2).total == pytest.approx(
        2 * spec.spawn_overhead + t_comp + t_dma + t_rlc + 1e-3
    )


def test_eta_simd_limits():
    assert cost.eta_simd(1.0) == 1.0 and cost.eta_simd(0.0) == 0.25
    assert cost.compute_time(11.6e9, vec_frac=0.0, eta=1.0) == pytest.approx(4.0)


def test_ldm_check_hand_sum_and_overflow():
    plan = cost.gemm_ldm_plan(32, 32, rlc=True)
    assert cost.ldm_check(plan) == 5 * 32 * 32 * 4
    assert cost.ldm_check({"a": 1000, "b": 2000, "c": 500}, {"a"}) == 4500
    with pytest.raises(LDMOverflowError, match=r"a=40000 B.*b=40000 B.*total 80000 B > usable 61440 B"):
        cost.ldm_check({"a": 40000, "b": 40000})
    with pytest.raises(ValueError, match="buffer 'x'"):
        cost.ldm_check({"x": -1})


def test_roofline_and_ridge():
    spec = SW26010()
    assert spec.ridge() == pytest.approx(742.4 / 20.85, abs=0.01)
    intensity, att = cost.roofline(spec, intensities=[1.0, 742.4 / 20.85, 100.0])
    assert att[0] == pytest.approx(20.85e9) and att[1] == pytest.approx(spec.cg_peak) and att[2] == spec.cg_peak
    _, small = cost.roofline(spec, block_bytes=256, intensities=[1.0])
    assert small[0] == pytest.approx(bw_cg(256, spec))


def test_offload_and_mpe():
    spec = SW26010()
    assert cost.mpe_time(0, spec.mpe_mem_bw, spec) == pytest.approx(1.0)
    assert cost.mpe_time(2.32e9, 0, spec) == pytest.approx(1.0)
    tiny = cost.offload_time(64.0, 64 * 64.0, spec)
    assert tiny.total > spec.spawn_overhead
    big = cost.offload_time(0, 64 * 2**20, spec, block_bytes=8192)
    one_dma = dma_time(8192, spec=spec)  # every 8 KB chunk is one contiguous descriptor
    assert big.bound == "dma" and 64 * 2**20 / big.total == pytest.approx(64 * 8192 / one_dma, rel=0.02)


def test_estimate_layers_shapes():
    from paperlab.sunway import models

    layers = models.get("alexnet")
    est = cost.estimate_layers(layers, 64)
    assert len(est["time"]) == len(layers) and np.all(est["time"] > 0)
    on_mpe = cost.estimate_layers(layers, 64, on_mpe={"relu"})
    assert set(on_mpe["bound"][on_mpe["type"] == "relu"]) == {"mpe"}
    with pytest.raises(ValueError, match="batch"):
        cost.estimate_layers(layers, 0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cost.eta_simd(1.5), "vec_frac"),
        (lambda: cost.compute_time(-1), "flops"),
        (lambda: CGSim().run([]), "phases_per_cpe"),
        (lambda: CGSim().run([[Phase()]] * 65), "phases_per_cpe"),
        (lambda: cost.gemm_ldm_plan(0, 4, True), "tile"),
        (lambda: cost.roofline(intensities=[-1.0]), "intensities"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
