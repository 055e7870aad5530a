"""swTVM layers, schedules, experiments, explorer, exercises and the optional TVM bridge."""

import numpy as np
import pytest

from paperlab.compiler import ops
from paperlab.compiler.cost import estimate
from paperlab.core.exercises import check
from paperlab.sunway import models
from paperlab.swtvm import configs, exercises, explore, layers, tvm_bridge
from paperlab.swtvm import experiments as E
from paperlab.swtvm import schedules as S


def test_layer_lists_match_model_tables():
    alex, vgg = layers.alexnet_layers(), layers.vgg19_layers()
    assert [ly.type for ly in alex].count("conv") == 5 and [ly.type for ly in alex].count("fc") == 3
    assert [ly.type for ly in vgg].count("conv") == 16 and [ly.type for ly in vgg].count("fc") == 3
    table = {ly.name: ly.flops for ly in models.get("vgg19")}
    assert all(ly.op.flops == table[ly.name] for ly in vgg)
    assert sum(ly.op.flops for ly in vgg) / 2 == pytest.approx(19.63e9, rel=1e-3)
    with pytest.raises(ValueError, match="net"):
        layers.network_layers("ResNet")
    with pytest.raises(ValueError, match="batch"):
        layers.alexnet_layers(0)


def test_divisors_and_template_errors():
    assert S.divisors(12) == [1, 2, 3, 4, 6, 12]
    assert S.divisors(224, cap=4)[0] == 1 and S.divisors(224, cap=4)[-1] == 224
    with pytest.raises(ValueError, match="n must be"):
        S.divisors(0)
    op = ops.matmul(8, 8, 8)
    with pytest.raises(ValueError, match="unknown axes"):
        S.template(op, {"z": 2})
    with pytest.raises(ValueError, match="vec"):
        S.template(op, {}, vec="k")


def test_naive_baseline_is_the_documented_rule():
    conv = layers.vgg19_layers()[2].op  # conv2_1
    assert S.naive_point(conv) == {"f": 1, "y": 1, "x": 112, "c": 1, "kh": 3, "kw": 3}
    fc = layers.vgg19_layers()[-3].op
    assert S.naive_point(fc) == {"b": 1, "o": 1, "i": 64}
    func = E.lower(S.naive_openacc_like(fc))
    assert [4 * c.run for c in func.info.reads] == [256, 256]  # 256-byte chunks of X and of the weight row
    rep = estimate(func)
    assert not rep.double_buffered and rep.min_block_bytes == 4  # one output element per DMA put


def test_speedup_rows_and_summary():
    lys = [layers.alexnet_layers()[2], layers.alexnet_layers()[-1]]
    rows = E.speedup_table(lys, budget=20)
    assert all(r["speedup"] > 1 and r["db_gain"] >= 1 and r["db_gap"] <= 0 for r in rows)
    s = E.summarize(rows)
    assert s["conv_mean"] == rows[0]["speedup"] and s["fc_mean"] == rows[1]["speedup"]


def test_tuner_quality_reports_gaps():
    q = E.tuner_quality(ops.matmul(16, 16, 16), cap=None, seeds=[0, 1], frac=0.5)
    assert q["exhaustive_min_check"] and q["budget"] == q["size"] // 2
    assert all(g >= 0 for g in q["random"]["gaps"] + q["greedy"]["gaps"])


def test_explore_point_feasible_and_overflow():
    op = ops.conv2d(16, 14, 14, 32, 3, pad=1)
    ok = explore.point(op, {"f": 8, "y": 2, "x": 14, "c": 4}, vec="x", double_buffer=False)
    # X tile 4 x (2 + 2) x 16, W tile 8 x 4 x 3 x 3, Y tile 8 x 2 x 14 floats
    assert ok["feasible"] and ok["footprint"] == 4 * (4 * 4 * 16 + 8 * 4 * 9 + 8 * 2 * 14)
    assert "dma_get" in ok["ir"] and "kernel_Y" in ok["c"]
    bad = explore.point(op, {"f": 32, "y": 14, "x": 14, "c": 16}, vec="x")
    assert not bad["feasible"] and "LDMOverflowError" in bad["message"] and bad["footprint"] > 61440
    err = explore.point(op, {"f": 3}, vec="x")
    assert not err["feasible"] and "divide" in err["message"]
    sc = explore.scatter(op, 20, np.random.default_rng(0))
    assert len(sc["time"]) == len(sc["footprint"]) and np.all(np.isnan(sc["time"]) == ~sc["feasible"])


def test_exercise_references_pass_their_checks():
    for name in ("dma_descriptor", "ldm_footprint", "cpe_range", "fc_dma_floor", "rlc_weight_bytes"):
        assert check(f"swtvm.{name}", getattr(exercises, name), strict=False)
    assert not check("swtvm.cpe_range", lambda cpe, extent, n_cpe=64: (0, extent), strict=False)


def test_configs_budgets():
    s, lab = configs.for_budget("smoke"), configs.for_budget("lab")
    assert s.t1_schedules < lab.t1_schedules and lab.t1_schedules >= 50
    assert s.tune_budget == 50 and lab.tune_budget == 500


def test_tvm_bridge_optional():
    if not tvm_bridge.available():
        with pytest.raises(ImportError, match=r"\[tvm\]"):
            tvm_bridge.tiled_matmul_tvm(64, 64, 64)
        pytest.skip("apache-tvm not installed (optional [tvm] extra)")
    run, src = tvm_bridge.tiled_matmul_tvm(64, 64, 64, (32, 32, 16))
    rng = np.random.default_rng(0)
    a, b = rng.random((64, 64), dtype=np.float32), rng.random((64, 64), dtype=np.float32)
    np.testing.assert_allclose(run(a, b), a @ b, rtol=1e-5, atol=5e-5)
    assert "for" in src


def test_t6_tvm_and_our_compiler_agree_with_numpy():
    """T6: a tiled matmul and a conv built by TVM 0.27 and by paperlab.compiler equal numpy (and each other)."""
    if not tvm_bridge.available():
        with pytest.raises(ImportError, match=r"\[tvm\]"):
            tvm_bridge.conv2d_tvm(4, 8, 8, 8, 3)
        pytest.skip("apache-tvm not installed (optional [tvm] extra; `make tvm` installs it)")
    res = tvm_bridge.cross_check(np.random.default_rng(0), n=64, conv=(8, 12, 12, 16, 3))
    for op in ("matmul", "conv2d"):
        for key in ("tvm_vs_numpy", "ours_vs_numpy", "tvm_vs_ours"):
            assert res[op][key] <= 1e-5, (op, key, res[op][key])


def test_with_rlc_never_slower_and_checks_buffer():
    op = ops.conv2d(32, 14, 14, 64, 3, pad=1)
    f = S.lower_point(op, {"f": 16, "y": 2, "x": 14, "c": 8, "vec": "f"})
    r = explore.with_rlc(f, "W_ldm")
    assert r["time_rlc"] <= r["time"] and r["speedup"] >= 1
    with pytest.raises(ValueError, match="buffer must be one of"):
        explore.with_rlc(f, "Q_ldm")
