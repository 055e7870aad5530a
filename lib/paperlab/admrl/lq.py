"""Closed forms of the LQ goal family (``PointMassFamily(wind=0)``), all in float64 and differentiable.

Augmented state ``z = [s; 1]``: ``A_bar = blockdiag(A, 1)``, ``B_bar = [B; 0]``, goal cost
``Q_bar = [[Q, -Q g], [-g^T Q, g^T Q g]]`` so that ``z^T Q_bar z = (s - g)^T Q (s - g)``.
"""

from __future__ import annotations

import torch

from paperlab.admrl.policies import join, split

SIGMA0_SQ = 0.01  # rho_0 = N(0, 0.1^2 I)


def augmented(family, psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(A_bar [5, 5], B_bar [5, 2], Q_bar [5, 5])`` for one task ``psi [2]``."""
    d = family.state_dim
    A = torch.eye(d + 1, dtype=torch.float64)
    A[:d, :d] = family.A
    B = torch.zeros(d + 1, family.act_dim, dtype=torch.float64)
    B[:d] = family.B
    g = family.goal(psi)
    Qg = family.Q @ g
    top = torch.cat([family.Q, -Qg[:, None]], 1)
    bottom = torch.cat([-Qg[None, :], (g @ Qg).reshape(1, 1)], 1)
    return A, B, torch.cat([top, bottom], 0)


def dlqr_discounted(A, B, Q, R, gamma: float, iters: int = 5000, tol: float = 1e-13):
    """Discounted Riccati fixed point ``P = Q + g A^T P A - g^2 A^T P B (R + g B^T P B)^-1 B^T P A``.

    Returns ``(K, P)`` with the optimal (cost-minimising) action ``a = K z``. Equals the undiscounted DARE on
    ``(sqrt(g) A, sqrt(g) B)``.
    """
    if not 0 < gamma < 1:
        raise ValueError(f"gamma must be in (0, 1), got {gamma}")
    P = Q.clone()
    for _ in range(iters):
        BtPA = B.T @ P @ A
        S = R + gamma * B.T @ P @ B
        P_new = Q + gamma * A.T @ P @ A - gamma**2 * BtPA.T @ torch.linalg.solve(S, BtPA)
        done = float((P_new - P).abs().max()) < tol * max(1.0, float(P.abs().max()))
        P = P_new
        if done:
            break
    K = -gamma * torch.linalg.solve(R + gamma * B.T @ P @ B, B.T @ P @ A)
    return K, P


def start_moment(d: int) -> torch.Tensor:
    """``E[z0 z0^T] = blockdiag(0.01 I_d, 1)``."""
    return torch.diag(torch.tensor([SIGMA0_SQ] * d + [1.0], dtype=torch.float64))


def optimal_value(family, psi) -> torch.Tensor:
    """``V*(psi) = -tr(P E[z0 z0^T])`` (deterministic optimal policy; optimal in the affine Gaussian class too)."""
    psi = family.box.check(psi)
    A, B, Q = augmented(family, psi)
    _, P = dlqr_discounted(A, B, Q, family.R, family.gamma)
    return -torch.trace(P @ start_moment(family.state_dim))


def optimal_theta(family, psi) -> torch.Tensor:
    """LQR parameters ``theta* = vec([K* | k*(psi)])`` in the policy layout of ``paperlab.admrl.policies``."""
    psi = family.box.check(psi)
    A, B, Q = augmented(family, psi)
    K, _ = dlqr_discounted(A, B, Q, family.R, family.gamma)
    return join(K[:, :-1], K[:, -1])


def affine_policy_value(theta: torch.Tensor, sigma: float, psi, family) -> torch.Tensor:
    """Exact value of ``a = K s + k + sigma eps`` (unbounded) from the discounted Lyapunov equation.

    ``P = C + gamma F^T P F`` (a 25 x 25 solve), ``F = [[A + BK, Bk], [0, 1]]``, ``C = Q_bar + [K|k]^T R [K|k]``;
    ``V = -tr(P E[z0 z0^T]) - gamma/(1-gamma) tr(P W) - sigma^2 tr(R)/(1-gamma)``, ``W = blockdiag(sigma^2 B B^T, 0)``.
    Differentiable in theta and psi. Returns ``-inf`` when the closed loop is unstable for the discount.
    """
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    psi = family.box.check(psi)
    A, B, Q = augmented(family, psi)
    K, k = split(theta, family.act_dim, family.state_dim)
    Kb = torch.cat([K, k[:, None]], 1)
    F = A + B @ Kb
    if float(torch.linalg.eigvals(F[:-1, :-1].detach()).abs().max()) >= family.gamma**-0.5:
        return torch.tensor(float("-inf"), dtype=torch.float64)
    C = Q + Kb.T @ family.R @ Kb
    n = F.shape[0]
    vecP = torch.linalg.solve(
        torch.eye(n * n, dtype=torch.float64) - family.gamma * torch.kron(F.T, F.T), C.reshape(-1)
    )
    P = vecP.reshape(n, n)
    W = torch.zeros(n, n, dtype=torch.float64)
    W[:-1, :-1] = sigma**2 * B[:-1] @ B[:-1].T
    g = family.gamma
    return (
        -torch.trace(P @ start_moment(family.state_dim))
        - g / (1 - g) * torch.trace(P @ W)
        - sigma**2 * torch.trace(family.R) / (1 - g)
    )
