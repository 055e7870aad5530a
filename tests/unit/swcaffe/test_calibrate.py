import pytest

from paperlab.sunway.arch import SW26010
from paperlab.sunway.models import Layer
from paperlab.swcaffe import calibrate, net_estimate


def test_profile_transcription_and_sums():
    p = calibrate.load_profile()
    assert p[("alexnet_bn", "batchnorm_layers")] + p[("alexnet_bn", "scale_layers")] == pytest.approx(37.9)
    assert p[("alexnet_bn", "convolutions")] == 11.0 and p[("vgg16", "convolutions")] == 112.0


def test_fit_reproduces_its_targets_and_is_the_default():
    fit = calibrate.fit_profile()
    assert fit.alexnet_conv[0] == pytest.approx(11.0, rel=1e-9)
    assert fit.alexnet_mpe[0] == pytest.approx(37.9, rel=1e-6)
    spec = SW26010()
    assert spec.eta_conv_code == pytest.approx(fit.eta_conv_code, rel=0.01)
    assert spec.mpe_mem_bw == pytest.approx(fit.mpe_mem_bw, rel=0.01)
    lo, hi = spec.provenance["mpe_mem_bw"].valid_range
    assert lo <= fit.mpe_mem_bw <= hi
    # the held-out network is predicted, not fitted
    assert 0.5 < fit.vgg16_conv_ratio < 2.0


def test_conv_code_efficiency_scales_conv_only():
    a = net_estimate.estimate("alexnet_bn", 64, SW26010().replace(eta_conv_code=1.0), n_cg=1)
    b = net_estimate.estimate("alexnet_bn", 64, SW26010().replace(eta_conv_code=0.5), n_cg=1)
    for ra, rb in zip(a.rows, b.rows, strict=True):
        assert rb["fwd_s"] == pytest.approx(ra["fwd_s"] * (2.0 if ra["type"] == "conv" else 1.0))


def test_alexnet_bn_has_no_lrn_and_bn_after_each_conv():
    layers = net_estimate._model("alexnet_bn")[1]
    types = [ly.type for ly in layers]
    assert "lrn" not in types and types.count("bn") == types.count("conv") == 5


def test_1x1_conv_skips_im2col():
    spec = SW26010()
    one = Layer("c", "conv", (256, 14, 14), (64, 14, 14), kernel=1, stride=1, pad=0, flops=2.0 * 256 * 64 * 196)
    strided = Layer("s", "conv", (256, 14, 14), (64, 7, 7), kernel=1, stride=2, pad=0, flops=2.0 * 256 * 64 * 49)
    assert net_estimate.is_1x1(one) and not net_estimate.is_1x1(strided)
    from paperlab.swcaffe.im2col_gemm import gemm_time

    _, t = net_estimate.layer_time(one, 4, spec)
    assert t == pytest.approx(4 * gemm_time(64, 196, 256, spec) / spec.eta_conv_code)


def test_bad_inputs():
    with pytest.raises(ValueError, match="network"):
        calibrate.profile_estimate("resnet50", SW26010())
    with pytest.raises(ValueError, match="target_s"):
        calibrate.fit_mpe_mem_bw(SW26010(), -1.0)


def test_speedup_at_is_the_closed_form():
    from paperlab.swcaffe.scaling import grad_bytes, iteration_time, speedup_at

    r = speedup_at("alexnet_bn", 64, 1024, "rhd_near", n_cg=1)
    tc = net_estimate.estimate("alexnet_bn", 64, n_cg=1).iter_s
    tm = iteration_time(1.0, grad_bytes("alexnet_bn"), 1024, "rhd_near")["t_allreduce"]
    assert r.t_comp == pytest.approx(tc) and r.t_comm == pytest.approx(tm)
    assert r.speedup == pytest.approx(1024 * tc / (tc + tm)) and r.batch == 64
