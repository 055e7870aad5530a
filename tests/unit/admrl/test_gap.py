import pytest
import torch

from paperlab.admrl import gap, planning, tasks

WIND, LQ = tasks.PointMassFamily(2.0), tasks.PointMassFamily(0.0)
H = 20


@pytest.fixture(scope="module")
def fd_setup():
    """Model = the wind-free system, truth = wind: a fixed model error, no training needed."""
    s0 = WIND.reset(8, torch.Generator().manual_seed(0))
    pts = torch.tensor([[-1.0, 0.5], [1.2, -0.8]], dtype=torch.float64)
    eps = 0.05
    psis = [pts]
    for i in range(2):
        e = torch.zeros(2, dtype=torch.float64)
        e[i] = eps
        psis += [pts + e, pts - e]
    psis = torch.cat(psis)  # [10, 2]
    th_star, v_star = planning.oracle(WIND, psis, s0, H, 100, 1, torch.Generator().manual_seed(1))
    th_hat, _ = planning.plan(LQ.step, WIND, psis, s0, H, 100)
    gaps = v_star - planning.value(WIND.step, WIND, th_hat, psis, s0, H, 3.0).detach()
    fd = torch.stack([(gaps[2:4] - gaps[4:6]) / (2 * eps), (gaps[6:8] - gaps[8:10]) / (2 * eps)], 1)
    return s0, pts, th_star[:2], th_hat[:2], fd


def _cos(a, b):
    return float(a @ b / (a.norm() * b.norm()))


def test_ift_gradient_matches_finite_differences(fd_setup):
    s0, pts, th_star, th_hat, fd = fd_setup
    for i in range(2):
        g, parts = gap.gap_gradient(LQ.step, WIND, pts[i], th_hat[i], th_star[i], s0, H)
        assert _cos(g, fd[i]) >= 0.99
        assert float((g - fd[i]).norm() / fd[i].norm()) <= 0.10
        assert parts["cg_residual"] < 1e-6 and not parts["neg_curvature"]
        # sign guard: the flipped implicit term must fail the same test
        flipped = parts["dpsi_opt"] - parts["dpsi_hat"] - parts["implicit"]
        assert float((flipped - fd[i]).norm() / fd[i].norm()) > 0.10


def test_adjoint_implicit_term_equals_dense_solve(fd_setup):
    s0, pts, th_star, th_hat, _ = fd_setup
    psi, th = pts[0], th_hat[0]
    _, parts = gap.gap_gradient(LQ.step, WIND, psi, th, th_star[0], s0, H, damping=0.0, cg_iters=200)

    def vm(t, p):
        return planning.value(LQ.step, WIND, t[None], p[None], s0, H, 3.0)[0]

    Hm = torch.autograd.functional.hessian(lambda t: vm(t, psi), th)
    J = torch.autograd.functional.jacobian(
        lambda p: torch.autograd.functional.jacobian(lambda t: vm(t, p), th, create_graph=True), psi
    )
    t = th.clone().requires_grad_(True)
    g = torch.autograd.grad(planning.value(WIND.step, WIND, t[None], psi[None], s0, H, 3.0)[0], t)[0]
    torch.testing.assert_close(parts["implicit"], gap.implicit_term(Hm, J, g), rtol=1e-5, atol=1e-7)


def test_cg_matches_dense_solve_and_reports_negative_curvature():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(10, 10, generator=g, dtype=torch.float64)
    M = X @ X.T + 0.5 * torch.eye(10, dtype=torch.float64)
    b = torch.randn(10, generator=g, dtype=torch.float64)
    x, info = gap.conjugate_gradient(lambda v: M @ v, b, iters=20)
    ref = torch.linalg.solve(M, b)
    assert float((x - ref).norm() / ref.norm()) <= 1e-4
    _, info = gap.conjugate_gradient(lambda v: -M @ v, b, iters=20)
    assert info["neg_curvature"]


def test_normal_equations_on_indefinite_matrix():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(6, 6, generator=g, dtype=torch.float64)
    Hm = X + X.T
    b = torch.randn(6, generator=g, dtype=torch.float64)
    x, _ = gap.normal_equations_cg(lambda v: Hm @ v, b, p=6, iters=200, tol=1e-12, damping=0.1)
    ref = torch.linalg.solve(Hm @ Hm / 6 + 0.1 * torch.eye(6, dtype=torch.float64), Hm @ b / 6)
    torch.testing.assert_close(x, ref, rtol=1e-6, atol=1e-8)


def test_hvp_matches_autograd_hessian_and_is_symmetric():
    g = torch.Generator().manual_seed(2)
    A = torch.randn(5, 5, generator=g, dtype=torch.float64)

    def f(x):
        return (x @ A @ x) + torch.sin(x).sum() * x.sum()

    x, v, w = (torch.randn(5, generator=g, dtype=torch.float64) for _ in range(3))
    Hf = torch.autograd.functional.hessian(f, x)
    torch.testing.assert_close(gap.hvp(f, x, v), Hf @ v)
    assert abs(float(w @ gap.hvp(f, x, v) - v @ gap.hvp(f, x, w))) < 1e-6
    assert float(gap.hvp(lambda y: (y * y).sum(), x, v).norm()) > 0


def test_bad_solver_arguments():
    b = torch.ones(3, dtype=torch.float64)
    with pytest.raises(ValueError, match="damping"):
        gap.conjugate_gradient(lambda v: v, b, damping=-1.0)
    with pytest.raises(ValueError, match="iters"):
        gap.conjugate_gradient(lambda v: v, b, iters=0)
    with pytest.raises(ValueError, match="tol"):
        gap.conjugate_gradient(lambda v: v, b, tol=0.0)
    with pytest.raises(ValueError, match="solver"):
        gap.gap_gradient(
            LQ.step, WIND, torch.zeros(2), torch.zeros(10), torch.zeros(10), torch.zeros(1, 4), 2, solver="lu"
        )
    with pytest.raises(ValueError, match="reinforce"):

        class NonDiff(tasks.PointMassFamily):
            differentiable = False

        gap.gap_gradient(
            LQ.step, NonDiff(), torch.zeros(2), torch.zeros(10), torch.zeros(10), torch.zeros(1, 4), 2
        )
