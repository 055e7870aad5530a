import numpy as np
import pytest

from paperlab.core.exercises import check
from paperlab.sunway.arch import TaihuLightNet
from paperlab.sunway.models import Layer, get
from paperlab.sunway.net import allreduce_time
from paperlab.swcaffe import exercises  # noqa: F401  (registers the exercises)
from paperlab.swcaffe.explore import scaling_point
from paperlab.swcaffe.net_estimate import estimate, k40m_estimate
from paperlab.swcaffe.planner import plan_conv, plan_net
from paperlab.swcaffe.scaling import fit_batch, needed_t_comp, speedup_curve


def conv(ni, no, g=1, s=1):
    return Layer("c", "conv", (ni, 14, 14), (no, 14 // s, 14 // s), 3, s, 1, g, 1.0, 1)


@pytest.mark.parametrize(
    "args,route,word",
    [
        ((conv(64, 64), 128), "direct", "all"),
        ((conv(64, 64), 127), "im2col", "batch"),
        ((conv(63, 64), 128), "im2col", "Ni >= 64"),
        ((conv(80, 64), 128), "im2col", "Ni % 32"),
        ((conv(64, 63), 128), "im2col", "No >= 64"),
        ((conv(64, 80), 128), "im2col", "No % 32"),
        ((conv(64, 64, g=2), 128), "im2col", "group"),
        ((conv(64, 64, s=2), 128), "im2col", "stride"),
    ],
)
def test_planner_boundaries(args, route, word):
    r = plan_conv(*args)
    assert r.route == route and word in r.reason


def test_plan_net_alexnet_routes():
    plan = plan_net(get("alexnet"), 128)
    assert plan.routes["conv1"].route == "im2col" and plan.routes["conv3"].route == "direct"
    assert plan.counts() == {"direct": 1, "im2col": 4}
    with pytest.raises(ValueError, match="batch"):
        plan_conv(conv(64, 64), 0)


def test_estimates_positive_and_mpe_slower():
    a = estimate("alexnet_bn", 128, on_mpe={"bn", "scale"})
    b = estimate("alexnet_bn", 128)
    assert a.iter_s > b.iter_s > 0 and 0 < b.peak_frac < 1
    assert k40m_estimate("alexnet", 128) > 0
    with pytest.raises(ValueError, match="batch"):
        estimate("alexnet", 130)


def test_speedup_limits():
    net0 = TaihuLightNet(alpha=0.0, beta=1e30, bw_red=1e30)
    c = speedup_curve(1.0, 1e8, [1, 2, 64, 1024], "rhd_near", net0)
    np.testing.assert_allclose(c["speedup"], [1, 2, 64, 1024], rtol=1e-12)
    c = speedup_curve(1.0, 1e8, [1, 1024], "ring")
    assert c["speedup"][0] == 1 and c["speedup"][1] < 1024


def test_fit_on_synthetic_model():
    t_comm = allreduce_time("rhd_near", 1024, 1e8)[0]
    target = 700.0
    b_true = needed_t_comp(target, t_comm) / 0.01  # T_comp(B) = 0.01 B
    f = fit_batch(lambda b: 0.01 * b, 1e8, target, range(1, 2000), algo="rhd_near")
    assert abs(f.batch - b_true) <= 1 and f.within


def test_c3_ratios_from_model():
    t = {
        a: allreduce_time(a, 1024, 10e6, reduce_cost=False)[0]
        for a in ("rhd_near", "rhd_far", "binomial", "ring")
    }
    assert t["rhd_far"] / t["rhd_near"] >= 2.5 and t["binomial"] / t["rhd_near"] >= 5
    t1 = {a: allreduce_time(a, 1024, 1e6, reduce_cost=False)[0] for a in ("rhd_near", "ring")}
    assert t1["ring"] / t1["rhd_near"] >= 3


def test_scaling_point_and_exercises():
    p = scaling_point("alexnet", 256, 1024)
    assert 0 < p["efficiency"] <= 1
    for name in ("swcaffe.ldm_bytes", "swcaffe.rhd_split", "swcaffe.uses_direct", "swcaffe.needed_t_comp"):
        ref = {"swcaffe.needed_t_comp": needed_t_comp}.get(name)
        if ref is not None:
            assert check(name, ref)
