"""NAMSG against independent references: numpy float64 rule, AMSGrad, SGD momentum, simplified NAdam."""

import copy

import numpy as np
import pytest
import torch

from paperlab.namsg import NAMSG, NAdamStyle
from paperlab.namsg.reference import namsg_reference_np, namsg_reference_unnormalised_np

SHAPES = [(5,), (3, 4), (2, 3, 2)]


def grad_np(x):
    """A smooth non-quadratic gradient, ``d/dx [x^2/2 + 0.3 sin(3x)]``, shared by torch and numpy."""
    return x + 0.9 * np.cos(3 * x)


def make_params(seed=0, dtype=torch.float64):
    rng = np.random.default_rng(seed)
    return [torch.tensor(rng.normal(size=s), dtype=dtype, requires_grad=True) for s in SHAPES]


def set_grads(params):
    for p in params:
        p.grad = torch.from_numpy(grad_np(p.detach().numpy())).to(p.dtype)


def run(opt, params, steps):
    for _ in range(steps):
        set_grads(params)
        opt.step()
    return [p.detach().numpy().copy() for p in params]


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("wd,maximize", [(0.0, False), (0.01, False), (0.0, True)])
def test_matches_numpy_reference_two_groups(foreach, wd, maximize):
    params = make_params()
    x0 = [p.detach().numpy().copy() for p in params]
    groups = [
        {"params": params[:2], "lr": 0.02, "mu": 0.1},
        {"params": params[2:], "lr": 0.05, "mu": 0.3},
    ]
    opt = NAMSG(groups, betas=(0.99, 0.9), eps=1e-6, weight_decay=wd, maximize=maximize, foreach=foreach)
    got = run(opt, params, 200)
    for i, x in enumerate(x0):
        lr, mu = (0.02, 0.1) if i < 2 else (0.05, 0.3)
        ref = namsg_reference_np(x, grad_np, 200, lr, 0.99, 0.9, mu, 1e-6, weight_decay=wd, maximize=maximize)
        np.testing.assert_allclose(got[i], ref[-1], rtol=0, atol=1e-12)


def test_parametrisations_agree():
    x0 = np.random.default_rng(1).normal(size=7)
    a = namsg_reference_np(x0, grad_np, 200, 0.05)
    b = namsg_reference_unnormalised_np(x0, grad_np, 200, 0.05)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_mu_zero_is_amsgrad_without_bias_correction():
    params = make_params(2)
    x = [p.detach().numpy().copy() for p in params]
    opt = NAMSG(params, lr=0.03, betas=(0.9, 0.99), mu=0.0, eps=1e-8)
    got = run(opt, params, 150)
    for xi, gi in zip(x, got, strict=True):
        m, v, vhat = np.zeros_like(xi), np.zeros_like(xi), np.full_like(xi, 1e-8)
        for _ in range(150):
            g = grad_np(xi)
            m = 0.9 * m + 0.1 * g
            v = 0.99 * v + 0.01 * g**2
            vhat = np.maximum(vhat, v)
            xi = xi - 0.03 * m / np.sqrt(vhat)
        np.testing.assert_allclose(gi, xi, rtol=0, atol=1e-12)


@pytest.mark.parametrize("foreach", [False, True])
def test_rsg_mu_zero_equals_sgd_momentum(foreach):
    a, b = make_params(3), make_params(3)
    alpha, beta = 0.5, 0.9
    got = run(NAMSG(a, lr=alpha, betas=(beta, 0.99), mu=0.0, adaptive=False, foreach=foreach), a, 200)
    ref = run(torch.optim.SGD(b, lr=alpha * (1 - beta), momentum=beta, dampening=0), b, 200)
    for x, y in zip(got, ref, strict=True):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-12)


@pytest.mark.parametrize("foreach", [False, True])
def test_nadam_style_equals_dozat_formula(foreach):
    params = make_params(4)
    x = [p.detach().numpy().copy() for p in params]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    got = run(NAdamStyle(params, lr=lr, betas=(b1, b2), eps=eps, foreach=foreach), params, 120)
    for xi, gi in zip(x, got, strict=True):
        m, v = np.zeros_like(xi), np.zeros_like(xi)
        for t in range(1, 121):
            g = grad_np(xi)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            xi = xi - lr * (b1 * m_hat + (1 - b1) * g / (1 - b1**t)) / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(gi, xi, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-6), (torch.float64, 1e-12)])
@pytest.mark.parametrize("kw", [{}, {"amsgrad": False}, {"adaptive": False}, {"weight_decay": 0.1}])
def test_foreach_equals_for_loop(dtype, tol, kw):
    a, b = make_params(5, dtype), make_params(5, dtype)
    ra = run(NAMSG(a, lr=0.01, foreach=True, **kw), a, 50)
    rb = run(NAMSG(b, lr=0.01, foreach=False, **kw), b, 50)
    for x, y in zip(ra, rb, strict=True):
        np.testing.assert_allclose(x, y, rtol=0, atol=tol)


def _model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()


def _train(model, opt, steps, start=0):
    for t in range(start, start + steps):
        g = torch.Generator().manual_seed(t)
        x = torch.randn(16, 4, generator=g, dtype=torch.float64)
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()


def test_state_dict_round_trip_is_bitwise():
    model = _model()
    opt = NAMSG(model.parameters(), lr=0.01)
    _train(model, opt, 12)
    opt.boost()  # boost changes live in param_groups and must survive
    sd_model, sd_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())

    fresh = _model(seed=99)
    fresh.load_state_dict(sd_model)
    fresh_opt = NAMSG(fresh.parameters(), lr=0.01)
    fresh_opt.load_state_dict(sd_opt)
    assert fresh_opt.param_groups[0]["mu"] == pytest.approx(0.2)
    assert fresh_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    _train(fresh, fresh_opt, 18, start=12)
    _train(model, opt, 18, start=12)
    for p, q in zip(model.parameters(), fresh.parameters(), strict=True):
        assert torch.equal(p, q)


def test_state_dict_uninterrupted_equals_resumed_without_boost():
    a = _model()
    oa = NAMSG(a.parameters(), lr=0.02)
    _train(a, oa, 25)
    b = _model()
    ob = NAMSG(b.parameters(), lr=0.02)
    _train(b, ob, 10)
    c = _model(seed=7)
    c.load_state_dict(b.state_dict())
    oc = NAMSG(c.parameters(), lr=0.02)
    oc.load_state_dict(copy.deepcopy(ob.state_dict()))
    _train(c, oc, 15, start=10)
    for p, q in zip(a.parameters(), c.parameters(), strict=True):
        assert torch.equal(p, q)


def test_state_dict_group_size_mismatch_raises():
    opt = NAMSG(_model().parameters())
    other = NAMSG(list(_model().parameters())[:2])
    with pytest.raises(ValueError, match="size"):
        other.load_state_dict(opt.state_dict())


def test_boost_uses_theory_ratio_and_restart():
    p = torch.zeros(3, requires_grad=True)
    opt = NAMSG([p], lr=1.0, mu=0.05)
    ((mu, lr),) = opt.boost()
    assert mu == pytest.approx(0.1) and lr == pytest.approx(0.24831, abs=1e-5)
    p.grad = torch.ones(3)
    opt.step()
    p.grad = torch.zeros(3)
    opt.step()
    opt.restart()
    st = opt.state[p]
    assert torch.equal(st["max_exp_avg_sq"], st["exp_avg_sq"])
    with pytest.raises(ValueError, match="factor"):
        opt.boost(factor=100.0)


def test_step_closure_returns_loss_and_zero_grad():
    p = torch.ones(2, requires_grad=True)
    opt = NAMSG([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure).detach()) == 2.0
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"lr": -0.1}, "lr"),
        ({"betas": (1.0, 0.99)}, "betas"),
        ({"betas": (0.9, -0.1)}, "betas"),
        ({"mu": 1.5}, "mu"),
        ({"mu": -0.1}, "mu"),
        ({"eps": 0.0}, "eps"),
        ({"weight_decay": -1.0}, "weight_decay"),
    ],
)
def test_bad_hyper_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        NAMSG([torch.zeros(2, requires_grad=True)], **kwargs)


def test_bad_group_value_is_rejected():
    with pytest.raises(ValueError, match="mu"):
        NAMSG([{"params": [torch.zeros(2, requires_grad=True)], "mu": 2.0}])


def test_sparse_gradient_raises():
    emb = torch.nn.Embedding(5, 3, sparse=True)
    opt = NAMSG(emb.parameters())
    emb(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError, match="sparse"):
        opt.step()


def test_complex_parameter_raises():
    p = torch.zeros(2, dtype=torch.complex64, requires_grad=True)
    p.grad = torch.ones(2, dtype=torch.complex64)
    with pytest.raises(RuntimeError, match="complex"):
        NAMSG([p]).step()
