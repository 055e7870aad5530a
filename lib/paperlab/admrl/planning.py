"""Planning in a simulator (true or learned) by L-BFGS over the affine policy class, one problem per task.

``V(theta, psi) = 1/N sum_n sum_{t<H} gamma^t r_psi(s_t, a_t)``, from fixed initial states ``s0`` (common random
numbers), differentiable in theta and psi. Tasks are independent, and so are their optimisations: a batch of T
tasks runs T L-BFGS problems side by side (:func:`lbfgs_per_task`), each with its own curvature memory, step
scaling and line search, so a task's plan does not depend on which tasks share its batch. (Solving one L-BFGS
problem on the *sum* of the values, as an earlier version did, shares the line search and the curvature memory
across tasks: one badly scaled task then holds back all the others.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from paperlab.admrl.policies import act, n_params

Step = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def value(
    step: Step,
    family,
    theta: torch.Tensor,
    psi: torch.Tensor,
    s0: torch.Tensor,
    horizon: int,
    bound: float | None,
) -> torch.Tensor:
    """Discounted H-step return averaged over ``s0 [N, d]``: ``theta [T, p], psi [T, k] -> [T]``."""
    T = theta.shape[0]
    s = s0.expand(T, *s0.shape)
    total = torch.zeros(T, dtype=theta.dtype)
    disc = 1.0
    for _ in range(horizon):
        a = act(theta, family.features(s), bound)
        total = total + disc * family.reward(s, a, psi[:, None, :]).mean(-1)
        s = step(s, a)
        disc *= family.gamma
    return total


def plan(
    step: Step,
    family,
    psi: torch.Tensor,
    s0: torch.Tensor,
    horizon: int,
    iters: int,
    bound: float | None = 3.0,
    theta0: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict]:
    """``argmax_theta V`` for every task of ``psi [T, k]``, each task its own L-BFGS problem; returns ``(theta [T, p], info)``.

    ``info``: ``value [T]`` at the result and ``grad_norm`` (max over tasks of ``||grad_theta V||``).
    """
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    T = psi.shape[0]
    theta0 = torch.zeros(T, n_params(family), dtype=torch.float64) if theta0 is None else theta0
    theta, _ = lbfgs_per_task(lambda th: -value(step, family, th, psi, s0, horizon, bound), theta0, iters)
    th = theta.clone().requires_grad_(True)
    v = value(step, family, th, psi, s0, horizon, bound)
    (grad,) = torch.autograd.grad(v.sum(), th)
    return theta, {"value": v.detach(), "grad_norm": float(grad.norm(dim=-1).max())}


def _value_and_grad(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    xx = x.detach().requires_grad_(True)
    fx = f(xx)
    (g,) = torch.autograd.grad(fx.sum(), xx)  # rows are independent, so row i of grad(sum) = grad f_i
    return fx.detach(), g


def lbfgs_per_task(
    f: Callable[[torch.Tensor], torch.Tensor],
    x0: torch.Tensor,
    iters: int,
    history: int = 20,
    c1: float = 1e-4,
    max_halvings: int = 20,
    tol_grad: float = 1e-10,
    tol_change: float = 1e-10,
    max_step: float = 3.0,
) -> tuple[torch.Tensor, dict]:
    """Minimise every row of ``f: [T, p] -> [T]`` independently by L-BFGS; ``x0 [T, p]`` -> ``(x [T, p], info)``.

    Per row: the two-loop recursion over its own last ``history`` curvature pairs (a pair with ``s.y <= 0`` is
    skipped), the initial scaling ``s.y / y.y`` of its last pair (the first step is ``min(1, 1/||g||_1)``, as in
    torch.optim.LBFGS), and a backtracking Armijo line search (sufficient decrease ``c1``, halving). Rows must not
    interact in ``f`` (row i of ``f`` depends on row i of ``x`` only). ``info``: ``f [T]``, ``grad_norm [T]``,
    ``iters`` run.
    """
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    if max_step <= 0:
        raise ValueError(f"max_step must be > 0, got {max_step}")
    if x0.ndim != 2:
        raise ValueError(f"x0 must be [T, p], got shape {tuple(x0.shape)}")
    x = x0.detach().clone()
    fx, g = _value_and_grad(f, x)
    memory: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
    gamma = torch.ones(x.shape[0], dtype=x.dtype)
    stalled = torch.zeros(x.shape[0], dtype=torch.bool)
    it = 0
    for it in range(1, iters + 1):
        active = (g.norm(dim=1) > tol_grad) & ~stalled
        if not bool(active.any()):
            break
        q, alphas = g.clone(), []
        for s, y, rho in reversed(memory):
            a = rho * (s * q).sum(1)
            q = q - a[:, None] * y
            alphas.append(a)
        r = gamma[:, None] * q
        for (s, y, rho), a in zip(memory, reversed(alphas), strict=True):
            b = rho * (y * r).sum(1)
            r = r + s * (a - b)[:, None]
        d = -r
        slope = (g * d).sum(1)
        uphill = slope >= 0
        d = torch.where(uphill[:, None], -g, d)
        d = d * torch.clamp(max_step / d.norm(dim=1).clamp_min(1e-300), max=1.0)[:, None]
        slope = (g * d).sum(1)
        t = torch.ones_like(fx)
        if it == 1:
            t = torch.clamp(1.0 / g.abs().sum(1).clamp_min(1e-300), max=1.0)
        done = ~active
        x_new, f_new = x.clone(), fx.clone()
        with torch.no_grad():
            for _ in range(max_halvings):
                trial = x + t[:, None] * d
                f_trial = f(trial)
                ok = ~done & (f_trial <= fx + c1 * t * slope)
                x_new = torch.where(ok[:, None], trial, x_new)
                f_new = torch.where(ok, f_trial, f_new)
                done = done | ok
                if bool(done.all()):
                    break
                t = torch.where(done, t, 0.5 * t)
        f_next, g_next = _value_and_grad(f, x_new)
        stalled = stalled | ~done | (active & ((fx - f_next).abs() < tol_change * (1 + fx.abs())))
        s, y = x_new - x, g_next - g
        sy = (s * y).sum(1)
        good = sy > 1e-12
        rho = torch.where(good, 1.0 / torch.where(good, sy, torch.ones_like(sy)), torch.zeros_like(sy))
        gamma = torch.where(good, sy / (y * y).sum(1).clamp_min(1e-300), gamma)
        memory = (memory + [(s, y, rho)])[-history:]
        x, fx, g = x_new, f_next, g_next
    return x, {"f": fx, "grad_norm": g.norm(dim=1), "iters": it}


def oracle(
    family,
    psi: torch.Tensor,
    s0: torch.Tensor,
    horizon: int,
    iters: int,
    n_starts: int,
    gen: torch.Generator,
    bound: float | None = 3.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """In-class optimum on the true simulator, best of ``n_starts`` (zeros plus N(0, 0.3^2) draws): ``(theta* [T, p], V* [T])``."""
    if n_starts < 1:
        raise ValueError(f"n_starts must be >= 1, got {n_starts}")
    best_theta, best_v = None, None
    for i in range(n_starts):
        init = (
            None
            if i == 0
            else 0.3 * torch.randn(psi.shape[0], n_params(family), generator=gen, dtype=torch.float64)
        )
        theta, info = plan(family.step, family, psi, s0, horizon, iters, bound, init)
        if best_v is None:
            best_theta, best_v = theta, info["value"]
        else:
            better = info["value"] > best_v
            best_theta = torch.where(better[:, None], theta, best_theta)
            best_v = torch.where(better, info["value"], best_v)
    return best_theta, best_v
