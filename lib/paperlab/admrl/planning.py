"""Planning in a simulator (true or learned) by batched L-BFGS over the affine policy class.

``V(theta, psi) = 1/N sum_n sum_{t<H} gamma^t r_psi(s_t, a_t)``, from fixed initial states ``s0`` (common random
numbers), differentiable in theta and psi. Tasks are independent, so a batch of T tasks is one L-BFGS problem on
the sum of their values.
"""

from __future__ import annotations

import warnings
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
    """``argmax_theta V`` for every task of ``psi [T, k]`` by L-BFGS (strong Wolfe); returns ``(theta [T, p], info)``.

    ``info``: ``value [T]`` at the result and ``grad_norm`` (max over tasks of ``||grad_theta V||``).
    """
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    T = psi.shape[0]
    theta = (
        torch.zeros(T, n_params(family), dtype=torch.float64) if theta0 is None else theta0.clone()
    ).requires_grad_(True)
    opt = torch.optim.LBFGS(
        [theta],
        lr=1.0,
        max_iter=iters,
        history_size=20,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-10,
        tolerance_change=1e-14,
    )

    def closure():
        opt.zero_grad()
        loss = -value(step, family, theta, psi, s0, horizon, bound).sum()
        loss.backward()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt.step(closure)
    theta = theta.detach()
    th = theta.clone().requires_grad_(True)
    v = value(step, family, th, psi, s0, horizon, bound)
    (grad,) = torch.autograd.grad(v.sum(), th)
    return theta, {"value": v.detach(), "grad_norm": float(grad.norm(dim=-1).max())}


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
