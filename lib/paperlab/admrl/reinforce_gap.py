"""The paper's REINFORCE route to the gap gradient, for the adversarial loop (any family whose reward is differentiable in psi).

The loop's planner, oracle and evaluation use the deterministic bounded affine policy ``mu_theta(s)``
(:mod:`paperlab.admrl.policies`); the score function needs a stochastic one, so this route uses its Gaussian version
``a = mu_theta(s) + sigma eps``, ``log pi = -||a - mu_theta(s)||^2 / (2 sigma^2) + const``. Every initial state is one
of the loop's fixed initial states ``s0`` (cycled), so the estimand is the exact route's ``V(theta, psi)`` smoothed by
the action noise.

* Real-environment terms, from ``n_real`` trajectories sampled on the true simulator:
  ``g = grad_theta V(theta_hat)`` by REINFORCE with GAE advantages, and ``d_psi V(theta) = mean_n sum_t gamma^t
  d_psi r_psi(s_t, a_t)`` for ``theta_hat`` and ``theta*`` (pathwise in psi: the trajectories do not depend on psi).
* Model terms, from ``n_model`` trajectories sampled in the learned model at ``theta_hat``:
  ``H = mean_n sum_t gamma^t A_t (s_t s_t^T + hess log pi_t)`` (the official per-timestep estimator,
  :func:`paperlab.admrl.reinforce.score_hvp` row by row) and
  ``J^T y = d_psi <grad_theta S(theta, psi), y>`` with the surrogate ``S = mean_n sum_t gamma^t log pi_t A_t(psi)``;
  the GAE advantages ``A(psi)`` are differentiable in psi through the rewards, trajectories and value baseline held
  fixed (the official code's trick).
* ``y`` solves the official damped normal equations ``((-H)^2 / p + lambda I) y = (-H) g / p`` (valid for an
  indefinite, noisy H); ``grad = d_psi V(theta*) - d_psi V(theta_hat) - J^T y``, as in :func:`paperlab.admrl.gap.gap_gradient`.

The value baseline is time-dependent: the batch mean of the discounted rewards-to-go at each step (0 after the last
step: the objective is the ``H``-step return).
"""

from __future__ import annotations

import torch

from paperlab.admrl import gap, reinforce
from paperlab.admrl.policies import act


def sample(
    step, family, theta: torch.Tensor, s0: torch.Tensor, n: int, horizon: int, sigma: float, bound: float | None, gen
) -> dict:
    """``n`` trajectories of the Gaussian policy in simulator ``step`` from ``s0 [N0, d]`` cycled:
    ``S [n, H, d]``, ``A [n, H, m]``."""
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    if n < 2:
        raise ValueError(f"n must be >= 2 (the baseline is a batch mean), got {n}")
    s = s0[torch.arange(n) % s0.shape[0]]
    S, A = [], []
    with torch.no_grad():
        for _ in range(horizon):
            mu = act(theta[None], family.features(s)[None], bound)[0]
            a = mu + sigma * torch.randn(mu.shape, generator=gen, dtype=torch.float64)
            S.append(s), A.append(a)
            s = step(s, a)
    return {"S": torch.stack(S, 1), "A": torch.stack(A, 1), "sigma": sigma, "bound": bound}


def log_prob(family, theta: torch.Tensor, traj: dict) -> torch.Tensor:
    """``log pi_theta(a_t | s_t)`` up to a constant, differentiable in ``theta [p]``: ``[n, H]``."""
    S, A = traj["S"], traj["A"]
    n, H = S.shape[:2]
    feat = family.features(S).reshape(1, n * H, -1)
    mu = act(theta[None], feat, traj["bound"])[0].reshape(n, H, -1)
    return -((A - mu) ** 2).sum(-1) / (2 * traj["sigma"] ** 2)


def advantages(family, traj: dict, psi: torch.Tensor, lam: float) -> torch.Tensor:
    """GAE advantages ``[n, H]`` of the psi-rewards, differentiable in psi; baseline = batch-mean rewards-to-go (fixed)."""
    r = family.reward(traj["S"], traj["A"], psi)
    base = reinforce.rewards_to_go(r, family.gamma).mean(0).detach()
    values = torch.cat([base, torch.zeros(1, dtype=r.dtype)])
    return reinforce.gae(r, values, family.gamma, lam)


def _discount(family, horizon: int) -> torch.Tensor:
    return family.gamma ** torch.arange(horizon, dtype=torch.float64)


def surrogate(family, theta: torch.Tensor, psi: torch.Tensor, traj: dict, lam: float) -> torch.Tensor:
    """``mean_n sum_t gamma^t log pi_t A_t(psi)``: its theta-gradient estimates ``grad_theta V``."""
    logp = log_prob(family, theta, traj)
    return (_discount(family, logp.shape[1]) * logp * advantages(family, traj, psi, lam)).sum(1).mean()


def policy_gradient(family, theta: torch.Tensor, psi: torch.Tensor, traj: dict, lam: float) -> torch.Tensor:
    """REINFORCE estimate of ``grad_theta V``: ``[p]``."""
    th = theta.detach().clone().requires_grad_(True)
    return torch.autograd.grad(surrogate(family, th, psi.detach(), traj, lam), th)[0]


def hessian(family, theta: torch.Tensor, psi: torch.Tensor, traj: dict, lam: float) -> torch.Tensor:
    """Official per-timestep estimate ``mean_n sum_t gamma^t A_t (s_t s_t^T + hess log pi_t)`` as a matrix ``[p, p]``.

    Equal to ``H * reinforce.score_hvp`` over the ``n H`` rows applied to each unit vector (unit-tested); formed
    densely because the loop's policies have few parameters.
    """
    th = theta.detach()
    w = (_discount(family, traj["S"].shape[1]) * advantages(family, traj, psi.detach(), lam)).detach()
    n = w.shape[0]
    scores = torch.func.jacfwd(lambda t: log_prob(family, t, traj))(th)  # [n, H, p]
    outer = torch.einsum("nt,nti,ntj->ij", w, scores, scores) / n
    second = torch.autograd.functional.hessian(lambda t: (w * log_prob(family, t, traj)).sum() / n, th)
    return outer + second


def dpsi_value(family, psi: torch.Tensor, traj: dict) -> torch.Tensor:
    """``d_psi V`` from sampled trajectories: ``mean_n sum_t gamma^t d_psi r_psi(s_t, a_t)``: ``[k]``."""
    ps = psi.detach().clone().requires_grad_(True)
    r = family.reward(traj["S"], traj["A"], ps)
    return torch.autograd.grad((_discount(family, r.shape[1]) * r).sum(1).mean(), ps)[0]


def gap_gradient_reinforce(
    model_step,
    family,
    psi: torch.Tensor,
    theta_hat: torch.Tensor,
    theta_star: torch.Tensor,
    s0: torch.Tensor,
    horizon: int,
    gen: torch.Generator,
    bound: float | None = 3.0,
    sigma: float = 0.3,
    lam: float = 0.95,
    n_real: int = 256,
    n_model: int = 1024,
    cg_iters: int = 200,
    damping: float = 0.1,
) -> tuple[torch.Tensor, dict]:
    """REINFORCE estimate of the gap gradient at one task ``psi [k]`` (see the module docstring).

    Returns ``(grad [k], parts)`` with the same parts as :func:`paperlab.admrl.gap.gap_gradient`, plus
    ``real_samples_used`` (real transitions sampled for g and the two d_psi terms).
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    psi = family.box.check(psi).detach()
    real_hat = sample(family.step, family, theta_hat, s0, n_real, horizon, sigma, bound, gen)
    real_star = sample(family.step, family, theta_star, s0, n_real, horizon, sigma, bound, gen)
    g = policy_gradient(family, theta_hat, psi, real_hat, lam)
    model = sample(model_step, family, theta_hat, s0, n_model, horizon, sigma, bound, gen)
    H = hessian(family, theta_hat, psi, model, lam)
    y, info = gap.normal_equations_cg(lambda v: -(H @ v), g, g.numel(), cg_iters, 1e-6, damping)
    th = theta_hat.detach().clone().requires_grad_(True)
    ps = psi.clone().requires_grad_(True)
    (gm,) = torch.autograd.grad(surrogate(family, th, ps, model, lam), th, create_graph=True)
    implicit = -torch.autograd.grad(gm @ y.detach(), ps)[0]
    d_opt, d_hat = dpsi_value(family, psi, real_star), dpsi_value(family, psi, real_hat)
    parts = {
        "dpsi_opt": d_opt,
        "dpsi_hat": d_hat,
        "implicit": implicit.detach(),
        "cg_residual": info["residual"],
        "neg_curvature": bool(torch.linalg.eigvalsh((H + H.T) / 2).max() > 0),
        "grad_norm_hat": float(gm.detach().norm()),
        "real_samples_used": 2 * n_real * horizon,
    }
    return (d_opt - d_hat + implicit).detach(), parts
