import pytest

from paperlab.core.exercises import check
from paperlab.sunway import configs, explore
from paperlab.sunway.cost import gemm_ldm_plan
from paperlab.sunway.exercises import _bw_cg, _gemm_ldm_bytes
from paperlab.sunway.kernels import summa_sources


def test_summary_defaults():
    s = explore.summary()
    assert s["ldm_usable_bytes"] == 61440
    assert s["tile_panel"] == 71 and s["tile_rlc"] == 55  # 3 b^2 * 4 <= 61440 ; 5 b^2 * 4 <= 61440
    assert s["intensity_rlc"] == 110 and s["gflops_rlc"] == pytest.approx(742.4)
    assert s["gflops_panel"] < s["gflops_rlc"]
    assert s["allreduce_ms_rhd_near"] < s["allreduce_ms_rhd_far"] < s["allreduce_ms_binomial"]


def test_summary_responds_to_knobs():
    small = explore.summary(ldm_kb=16)
    big = explore.summary(ldm_kb=256)
    assert small["tile_rlc"] < big["tile_rlc"]
    assert explore.summary(block=64)["dma_gbps"] < explore.summary(block=8192)["dma_gbps"]
    assert (
        explore.summary(oversub=8)["allreduce_ms_rhd_far"]
        > explore.summary(oversub=1)["allreduce_ms_rhd_far"]
    )
    assert explore.largest_tile(sum(gemm_ldm_plan(10, 10, True).values()), True) == 10
    with pytest.raises(ValueError, match="ldm_kb"):
        explore.summary(ldm_kb=2)


def test_configs():
    for b in ("smoke", "lab", "paper"):
        cfg = configs.for_budget(b)
        assert cfg.summa_k % (8 * max(cfg.summa_tiles)) == 0 or cfg.summa_k % 8 == 0
    assert configs.for_budget("smoke").summa_tiles == (4,)
    with pytest.raises(ValueError, match="budget"):
        configs.for_budget("huge")


def test_exercises_pass_on_reference_and_fail_on_stub(capsys):
    def stub(*a, **k):
        raise NotImplementedError()

    assert check("sunway.bw_cg", _bw_cg) and check("sunway.gemm_ldm_bytes", _gemm_ldm_bytes)
    assert check("sunway.summa_sources", summa_sources)
    for name in ("sunway.bw_cg", "sunway.gemm_ldm_bytes", "sunway.summa_sources"):
        assert not check(name, stub)
    assert not check("sunway.gemm_ldm_bytes", lambda t, k, db, itemsize=4: 3 * t * k * itemsize)
