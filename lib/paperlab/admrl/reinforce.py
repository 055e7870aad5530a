"""The paper's score-function (REINFORCE) estimators of g, J and H, on the LQ family with a Gaussian affine policy.

Policy ``a = W phi + sigma eps``, ``phi = [s; 1]``, ``log pi = -||a - W phi||^2 / (2 sigma^2) + const``:
``grad log pi = vec(((a - W phi) / sigma^2) phi^T)`` and ``hess log pi = -(1/sigma^2) I_m kron phi phi^T``.
Trajectories are sampled on the true linear system; psi enters only through the reward, so the estimators are
differentiable in psi with the trajectories held fixed (the official code's trick).
"""

from __future__ import annotations

import torch

from paperlab.admrl import lq


def sample(family, theta: torch.Tensor, sigma: float, n: int, horizon: int, gen: torch.Generator) -> dict:
    """``n`` trajectories of ``a = W phi + sigma eps``: ``S [n, H, d]``, ``A [n, H, m]``."""
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    W = theta.reshape(family.act_dim, family.state_dim + 1)
    s = family.reset(n, gen)
    S, A = [], []
    for _ in range(horizon):
        a = (
            s @ W[:, :-1].T
            + W[:, -1]
            + sigma * torch.randn(n, family.act_dim, generator=gen, dtype=torch.float64)
        )
        S.append(s), A.append(a)
        s = family.step(s, a)
    return {"S": torch.stack(S, 1), "A": torch.stack(A, 1), "sigma": sigma}


def _phi(S: torch.Tensor) -> torch.Tensor:
    return torch.cat([S, torch.ones_like(S[..., :1])], -1)


def rewards_to_go(r: torch.Tensor, gamma: float) -> torch.Tensor:
    """``G_t = sum_{t' >= t} gamma^(t'-t) r_t'`` by a reverse scan (linear memory, differentiable): ``[n, H]``."""
    out, acc = [], torch.zeros_like(r[:, 0])
    for t in range(r.shape[1] - 1, -1, -1):
        acc = r[:, t] + gamma * acc
        out.append(acc)
    return torch.stack(out[::-1], 1)


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    lam: float,
    terminated: torch.Tensor | None = None,
) -> torch.Tensor:
    """Generalised advantage estimates by a reverse scan (linear memory, differentiable in ``rewards``): ``[n, H]``.

    ``rewards [n, H]``; ``values [n, H + 1]`` or ``[H + 1]`` (``values[..., H]`` bootstraps a truncated end: pass 0
    for a finite-horizon objective); ``terminated [n, H]`` (bool, optional): no bootstrap past a terminal step.
    ``delta_t = r_t + gamma (1 - d_t) V_{t+1} - V_t``, ``A_t = delta_t + gamma lam (1 - d_t) A_{t+1}``.
    ``lam = 1`` gives rewards-to-go minus ``V_t``; ``lam = 0`` gives the TD residuals ``delta_t``.
    """
    if rewards.ndim != 2:
        raise ValueError(f"rewards must be [n, H], got shape {tuple(rewards.shape)}")
    n, H = rewards.shape
    values = torch.as_tensor(values, dtype=rewards.dtype)
    if values.shape[-1] != H + 1 or values.ndim not in (1, 2) or (values.ndim == 2 and values.shape[0] != n):
        raise ValueError(f"values must be [n, H + 1] or [H + 1] = [{n}, {H + 1}], got shape {tuple(values.shape)}")
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    values = values.expand(n, H + 1)
    keep = torch.ones_like(rewards) if terminated is None else 1.0 - torch.as_tensor(terminated, dtype=rewards.dtype)
    if keep.shape != rewards.shape:
        raise ValueError(f"terminated must be [n, H] like rewards, got shape {tuple(keep.shape)}")
    out, acc = [], torch.zeros_like(rewards[:, 0])
    for t in range(H - 1, -1, -1):
        delta = rewards[:, t] + gamma * keep[:, t] * values[:, t + 1] - values[:, t]
        acc = delta + gamma * lam * keep[:, t] * acc
        out.append(acc)
    return torch.stack(out[::-1], 1)


def score_hvp(
    scores: torch.Tensor, hess_logp: torch.Tensor, weights: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Per-step REINFORCE Hessian-vector product ``mean_i w_i (s_i (s_i . v) + (hess log pi_i) v)``: ``[p]``.

    One row per sampled step: ``scores [N, p]`` (``grad log pi``), ``hess_logp [N, p, p]``, ``weights [N]`` (the
    step's discounted advantage ``gamma^t A_t``), ``v [p]``. The official per-timestep estimator applied to a vector
    without forming the matrix (``mean_n sum_t`` over ``n`` trajectories of ``H`` steps is ``H`` times this mean over
    the ``n H`` rows); it drops the cross-time terms ``s_t s_t'^T`` of the true Hessian (biased for horizons > 1).
    """
    return (weights[:, None] * (scores * (scores @ v)[:, None] + hess_logp @ v)).mean(0)


def _advantages(traj, family, psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(discount gamma^t [H], A_t = G_t(psi) - b_t [n, H])`` with a time-dependent batch-mean baseline (no psi-gradient)."""
    r = family.reward(traj["S"], traj["A"], psi)
    G = rewards_to_go(r, family.gamma)
    disc = family.gamma ** torch.arange(G.shape[1], dtype=torch.float64)
    return disc, G - G.mean(0).detach()


def surrogate(traj, family, theta: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
    """``mean_n sum_t gamma^t log pi_theta(a_t|s_t) A_t(psi)``: its theta-gradient estimates grad V; its psi-theta derivative J."""
    W = theta.reshape(family.act_dim, family.state_dim + 1)
    mu = _phi(traj["S"]) @ W.T
    logp = -((traj["A"] - mu) ** 2).sum(-1) / (2 * traj["sigma"] ** 2)
    disc, adv = _advantages(traj, family, psi)
    return (disc * logp * adv).sum(1).mean()


def policy_gradient(traj, family, theta, psi) -> torch.Tensor:
    """REINFORCE estimate of ``grad_theta V``: ``[p]``."""
    th = theta.detach().requires_grad_(True)
    return torch.autograd.grad(surrogate(traj, family, th, torch.as_tensor(psi, dtype=torch.float64)), th)[0]


def mixed_jacobian(traj, family, theta, psi) -> torch.Tensor:
    """``J = d_psi grad_theta V`` by autodiff through the psi-dependent advantages: ``[p, k]``."""
    th = theta.detach().requires_grad_(True)
    ps = torch.as_tensor(psi, dtype=torch.float64).clone().requires_grad_(True)
    (g,) = torch.autograd.grad(surrogate(traj, family, th, ps), th, create_graph=True)
    return torch.stack([torch.autograd.grad(g[i], ps, retain_graph=True)[0] for i in range(g.numel())])


def _scores(traj, family, theta) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-step ``grad log pi [n, H, p]`` and ``phi [n, H, f+1]``."""
    W = theta.reshape(family.act_dim, family.state_dim + 1)
    phi = _phi(traj["S"])
    z = (traj["A"] - phi @ W.T) / traj["sigma"] ** 2
    return (z[..., :, None] * phi[..., None, :]).flatten(-2), phi


def _hess_logp(phi: torch.Tensor, m: int, sigma: float) -> torch.Tensor:
    """``-(1/sigma^2) I_m kron phi phi^T`` summed over the leading dims given: ``[p, p]``."""
    outer = torch.einsum("...i,...j->ij", phi, phi)
    return -torch.kron(torch.eye(m, dtype=torch.float64), outer) / sigma**2


def hessian_stepwise(traj, family, theta, psi) -> torch.Tensor:
    """Official per-timestep estimator ``mean sum_t gamma^t A_t (s_t s_t^T + hess log pi_t)``; drops cross-time terms (biased)."""
    sc, phi = _scores(traj, family, theta)
    disc, adv = _advantages(traj, family, torch.as_tensor(psi, dtype=torch.float64))
    w = (disc * adv).detach()
    n = sc.shape[0]
    outer = torch.einsum("nt,nti,ntj->ij", w, sc, sc) / n
    hl = torch.einsum("nt,nti,ntj->ij", w, phi, phi) / n
    return outer - torch.kron(torch.eye(family.act_dim, dtype=torch.float64), hl) / traj["sigma"] ** 2


def hessian_trajectory(traj, family, theta, psi) -> torch.Tensor:
    """Unbiased estimator ``E[sum_t gamma^t r_t (G_t G_t^T + sum_{t'<=t} hess log pi_t')]``, ``G_t = sum_{t'<=t} grad log pi_t'``."""
    sc, phi = _scores(traj, family, theta)
    r = family.reward(traj["S"], traj["A"], torch.as_tensor(psi, dtype=torch.float64)).detach()
    disc = family.gamma ** torch.arange(r.shape[1], dtype=torch.float64)
    w = disc * (r - r.mean(0))  # per-time baseline: E[score products] terms with a constant weight vanish
    Gc = sc.cumsum(1)
    n = sc.shape[0]
    outer = torch.einsum("nt,nti,ntj->ij", w, Gc, Gc) / n
    pp = torch.einsum("nti,ntj->ntij", phi, phi).cumsum(1)
    hl = torch.einsum("nt,ntij->ij", w, pp) / n
    return outer - torch.kron(torch.eye(family.act_dim, dtype=torch.float64), hl) / traj["sigma"] ** 2


def exact_derivatives(family, theta: torch.Tensor, sigma: float, psi) -> dict:
    """``g [p]``, ``J [p, k]``, ``H [p, p]`` of the exact Lyapunov value (autodiff through the 25 x 25 solve)."""
    psi = torch.as_tensor(psi, dtype=torch.float64)

    def v(th, ps):
        return lq.affine_policy_value(th, sigma, ps, family)

    th = theta.detach().requires_grad_(True)
    ps = psi.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(v(th, ps), th, create_graph=True)
    J = torch.stack([torch.autograd.grad(g[i], ps, retain_graph=True)[0] for i in range(g.numel())])
    H = torch.autograd.functional.hessian(lambda t: v(t, psi), theta.detach())
    return {"g": g.detach(), "J": J.detach(), "H": H}


def rel_err(est: torch.Tensor, ref: torch.Tensor) -> float:
    """Relative Frobenius error ``||est - ref|| / ||ref||``."""
    return float((est - ref).norm() / ref.norm())
