"""The sub-optimality gap, its gradient by the implicit function theorem, and the linear solvers.

``L(psi) = V(theta*, psi) - V(theta_hat(psi), psi)`` (true-simulator values; theta_hat planned in the model).
``grad L = d_psi V(theta*) - d_psi V(theta_hat) + J^T H^-1 g`` with ``H = d2 V_hat / d theta2`` and
``J = d2 V_hat / d theta d psi`` in the model, ``g = grad_theta V(theta_hat)`` in the real simulator.
With ``(-H + delta I) y = g`` solved by CG: ``J^T H^-1 g = -J^T y = -d_psi <grad_theta V_hat, y>`` (adjoint form).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from paperlab.admrl.planning import value


def conjugate_gradient(
    matvec: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    iters: int = 50,
    tol: float = 1e-10,
    damping: float = 0.0,
) -> tuple[torch.Tensor, dict]:
    """Solve ``(M + damping I) x = b`` for symmetric positive-definite M; returns the smallest-residual iterate.

    ``info``: ``residual`` (relative, of the returned x), ``neg_curvature`` (``p^T M p <= 0`` was met), ``iters``.
    """
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    if tol <= 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    if damping < 0:
        raise ValueError(f"damping must be >= 0, got {damping}")
    x = torch.zeros_like(b)
    r = b.clone()
    p = r.clone()
    bnorm = float(b.norm()) or 1.0
    best_x, best_res = x.clone(), float(r.norm()) / bnorm
    neg, it = False, 0
    for k in range(1, iters + 1):
        it = k
        Mp = matvec(p) + damping * p
        curv = float(p @ Mp)
        if curv <= 0:
            neg = True
            break
        alpha = float(r @ r) / curv
        x = x + alpha * p
        r_new = r - alpha * Mp
        res = float(r_new.norm()) / bnorm
        if res < best_res:
            best_x, best_res = x.clone(), res
        if res < tol:
            break
        p = r_new + float(r_new @ r_new) / float(r @ r) * p
        r = r_new
    return best_x, {"residual": best_res, "neg_curvature": neg, "iters": it}


def normal_equations_cg(
    matvec, b: torch.Tensor, p: int, iters: int = 200, tol: float = 1e-6, damping: float = 0.1
) -> tuple[torch.Tensor, dict]:
    """The official solver: ``(H^2 / p + lambda I) x = H b / p`` by CG (valid for indefinite H; shrinks weak directions)."""
    return conjugate_gradient(lambda v: matvec(matvec(v)) / p, matvec(b) / p, iters, tol, damping)


def hvp(f: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Hessian-vector product ``(d2 f / d theta2) v`` by double backward (Pearlmutter; needs create_graph=True)."""
    th = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(th), th, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ v, th)
    return hv


def implicit_term(H: torch.Tensor, J: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Dense reference ``J^T H^-1 g``: ``H [p, p], J [p, k], g [p] -> [k]``."""
    return J.T @ torch.linalg.solve(H, g)


def gap_gradient(
    model_step,
    family,
    psi: torch.Tensor,
    theta_hat: torch.Tensor,
    theta_star: torch.Tensor,
    s0: torch.Tensor,
    horizon: int,
    bound: float | None = 3.0,
    cg_iters: int = 50,
    damping: float = 1e-3,
    solver: str = "cg",
) -> tuple[torch.Tensor, dict]:
    """IFT gradient of the gap at one task ``psi [k]`` (exact autodiff route, oracle real-environment terms).

    ``solver="cg"``: CG on ``-H + damping I`` (falls back to the normal equations on negative curvature);
    ``"normal_equations"``: the official damped normal equations (use damping 0.1).
    Returns ``(grad [k], parts)`` with parts ``dpsi_opt, dpsi_hat, implicit, cg_residual, neg_curvature, grad_norm_hat``.
    """
    if solver not in ("cg", "normal_equations"):
        raise ValueError(f"solver must be 'cg' or 'normal_equations', got {solver!r}")
    if not getattr(family, "differentiable", False):
        raise ValueError(
            "this family is not differentiable: use the REINFORCE route "
            '(reinforce_gap.gap_gradient_reinforce, or run_admrl(..., estimator="reinforce"))'
        )
    psi = family.box.check(psi).detach()

    def v_true(th, ps):
        return value(family.step, family, th[None], ps[None], s0, horizon, bound)[0]

    def v_model(th, ps):
        return value(model_step, family, th[None], ps[None], s0, horizon, bound)[0]

    def dpsi(th):
        ps = psi.clone().requires_grad_(True)
        return torch.autograd.grad(v_true(th.detach(), ps), ps)[0]

    th = theta_hat.detach().clone().requires_grad_(True)
    g = torch.autograd.grad(v_true(th, psi), th)[0]
    neg_h = lambda v: -hvp(lambda t: v_model(t, psi), theta_hat, v)  # noqa: E731
    if solver == "cg":
        y, info = conjugate_gradient(neg_h, g, cg_iters, 1e-10, damping)
        if info["neg_curvature"]:
            y, info = normal_equations_cg(neg_h, g, g.numel(), 200, 1e-6, 0.1)
            info["neg_curvature"] = True
    else:
        y, info = normal_equations_cg(neg_h, g, g.numel(), cg_iters, 1e-6, damping)
    # -J^T y = -d/dpsi <grad_theta V_hat(theta_hat, psi), y>
    th = theta_hat.detach().clone().requires_grad_(True)
    ps = psi.clone().requires_grad_(True)
    (gm,) = torch.autograd.grad(v_model(th, ps), th, create_graph=True)
    implicit = -torch.autograd.grad(gm @ y.detach(), ps)[0]
    d_opt, d_hat = dpsi(theta_star), dpsi(theta_hat)
    grad = d_opt - d_hat + implicit
    parts = {
        "dpsi_opt": d_opt,
        "dpsi_hat": d_hat,
        "implicit": implicit,
        "cg_residual": info["residual"],
        "neg_curvature": info["neg_curvature"],
        "grad_norm_hat": float(gm.detach().norm()),
    }
    return grad.detach(), parts
