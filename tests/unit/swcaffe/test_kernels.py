import numpy as np
import pytest
import torch
import torch.nn.functional as F

from paperlab.sunway.cost import LDMOverflowError
from paperlab.sunway.emu import CoreGroup
from paperlab.swcaffe import layers
from paperlab.swcaffe.conv_direct import (
    direct_conv_bwd_data,
    direct_conv_bwd_weight,
    direct_conv_fwd,
    direct_conv_time,
    direct_ldm_plan,
)
from paperlab.swcaffe.im2col_gemm import conv_im2col, conv_im2col_bwd, gemm
from paperlab.swcaffe.layout import kkoi_to_weights, nchw_to_rcnb, rcnb_to_nchw, weights_to_kkoi


def rel(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max())


@pytest.fixture(scope="module")
def conv_case():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16, 5, 5)).astype(np.float32)
    w = rng.standard_normal((8, 16, 3, 3)).astype(np.float32)
    go = rng.standard_normal((8, 8, 5, 5)).astype(np.float32)
    return x, w, go


def test_layout_round_trip():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    assert np.array_equal(rcnb_to_nchw(nchw_to_rcnb(x)), x)
    assert nchw_to_rcnb(x)[1, 2, 0, 1] == x[1, 0, 1, 2]
    assert np.array_equal(kkoi_to_weights(weights_to_kkoi(x)), x)
    with pytest.raises(ValueError, match="x"):
        nchw_to_rcnb(x[0])


def test_direct_forward_and_backward_match_torch(conv_case):
    x, w, go = conv_case
    cg = CoreGroup()
    y, rep = direct_conv_fwd(cg, nchw_to_rcnb(x), weights_to_kkoi(w), pad=1)
    ref = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    assert rel(rcnb_to_nchw(y), ref) <= 1e-5
    assert rep.totals()["flops"] == 2 * 8 * 16 * 9 * 25 * 8
    assert rep.totals()["ldm_peak_bytes"] == sum(direct_ldm_plan(16, 8, 8, 5).values())
    dx, _ = direct_conv_bwd_data(cg, nchw_to_rcnb(go), weights_to_kkoi(w), pad=1)
    rdx = torch.nn.grad.conv2d_input(x.shape, torch.from_numpy(w), torch.from_numpy(go), padding=1).numpy()
    assert rel(rcnb_to_nchw(dx), rdx) <= 1e-5
    dw, _ = direct_conv_bwd_weight(cg, nchw_to_rcnb(x), nchw_to_rcnb(go), 3, pad=1)
    rdw = torch.nn.grad.conv2d_weight(torch.from_numpy(x), w.shape, torch.from_numpy(go), padding=1).numpy()
    assert rel(kkoi_to_weights(dw), rdw) <= 1e-5


def test_direct_rejects_bad_input(conv_case):
    x, w, _ = conv_case
    cg = CoreGroup()
    with pytest.raises(ValueError, match="im2col"):
        direct_conv_fwd(cg, nchw_to_rcnb(x[:6]), weights_to_kkoi(w), pad=1)
    with pytest.raises(ValueError, match="pad"):
        direct_conv_fwd(cg, nchw_to_rcnb(x), weights_to_kkoi(w), pad=-1)
    big = np.zeros((3, 64, 256, 128), np.float32)
    with pytest.raises(LDMOverflowError):
        direct_conv_fwd(cg, big, np.zeros((3, 3, 256, 256), np.float32), pad=1, cb=64)


def test_ldm_plan_and_time():
    plan = direct_ldm_plan(64, 64, 128, 4)
    assert plan["x"] == 4 * 8 * 16 * 4 and plan["o"] == 4 * 8 * 16 * 4
    t = direct_conv_time(64, 64, 128, 14, 14, 3, 1)
    assert 0 < t["utilisation"] < 1
    with pytest.raises(ValueError, match="ni"):
        direct_conv_time(60, 64, 128, 14, 14, 3, 1)


@pytest.mark.parametrize(
    "case", [(3, 8, 2, 6, 3, 1, 1, 1), (8, 8, 2, 7, 3, 2, 1, 1), (8, 16, 2, 6, 3, 1, 1, 2)]
)
def test_im2col_matches_torch(case):
    ni, no, b, h, k, s, p, g = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((b, ni, h, h)).astype(np.float32)
    w = rng.standard_normal((no, ni // g, k, k)).astype(np.float32)
    cg = CoreGroup()
    y, cost = conv_im2col(cg, x, w, s, p, g)
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    ref = F.conv2d(tx, tw, stride=s, padding=p, groups=g).numpy()
    assert rel(y, ref) <= 1e-5 and cost["time"] > 0
    go = rng.standard_normal(ref.shape).astype(np.float32)
    dx, dw, _ = conv_im2col_bwd(cg, x, w, go, s, p, g)
    tgo = torch.from_numpy(go)
    assert (
        rel(dx, torch.nn.grad.conv2d_input(x.shape, tw, tgo, stride=s, padding=p, groups=g).numpy()) <= 1e-5
    )
    assert (
        rel(dw, torch.nn.grad.conv2d_weight(tx, w.shape, tgo, stride=s, padding=p, groups=g).numpy()) <= 1e-5
    )


def test_gemm_pads_and_crops():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 27)).astype(np.float32), rng.standard_normal((27, 13)).astype(np.float32)
    c, _ = gemm(CoreGroup(), a, b)
    assert rel(c, a @ b) <= 1e-5
    with pytest.raises(ValueError, match="inner"):
        gemm(CoreGroup(), a, a)


def test_streaming_layers_match_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 6, 6)).astype(np.float32)
    tx = torch.from_numpy(x).requires_grad_(True)
    y, t = layers.max_pool(x, 2, 2)
    ty = F.max_pool2d(tx, 2, 2)
    assert rel(y, ty.detach().numpy()) == 0 and t > 0
    gy = rng.standard_normal(y.shape).astype(np.float32)
    (gx,) = torch.autograd.grad(ty, tx, torch.from_numpy(gy))
    assert rel(layers.max_pool_bwd(x, gy, 2, 2)[0], gx.numpy()) == 0
    yb, cache, _ = layers.bn_fwd(x)
    tb = F.batch_norm(tx, None, None, training=True, eps=1e-5)
    assert rel(yb, tb.detach().numpy()) <= 1e-5
    gb = rng.standard_normal(x.shape).astype(np.float32)
    (gx,) = torch.autograd.grad(tb, tx, torch.from_numpy(gb))
    assert rel(layers.bn_bwd(gb, cache)[0], gx.numpy()) <= 1e-5
    gamma, beta = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    ys, _ = layers.scale(x, gamma, beta)
    assert rel(ys, x * gamma[None, :, None, None] + beta[None, :, None, None]) <= 1e-6
    assert rel(layers.relu(x)[0], F.relu(tx).detach().numpy()) == 0
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    lab = np.array([0, 1, 2, 3, 0])
    tl = torch.from_numpy(logits).requires_grad_(True)
    tloss = F.cross_entropy(tl, torch.from_numpy(lab))
    (gl,) = torch.autograd.grad(tloss, tl)
    loss, g, _ = layers.softmax_loss(logits, lab)
    assert abs(loss - tloss.item()) <= 1e-5 and rel(g, gl.numpy()) <= 1e-5
    assert layers.stream_time(4e6, 4e7, on_mpe=True) > layers.stream_time(4e6, 4e7)
    with pytest.raises(ValueError, match="a and b"):
        layers.eltwise_sum(x, x[:1])
