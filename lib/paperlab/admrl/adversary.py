"""The adversary's step on the raw task parameter u in [-1, 1]^k.

Paper rule: ``u <- clip(u + alpha grad_u L, -1, 1)`` (alpha = 1, one step per task). It can stick at a face or
corner of the box when the gradient keeps pointing outward. paperlab's fix: a tangent-projected, normalised step.
"""

from __future__ import annotations

import torch


def projected_step(u: torch.Tensor, g: torch.Tensor, alpha: float, periodic: bool = False) -> torch.Tensor:
    """``clip(u + alpha g, -1, 1)`` (or wrapped into ``[-1, 1)`` when ``periodic``)."""
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    u = u + alpha * g
    return torch.remainder(u + 1, 2) - 1 if periodic else u.clamp(-1.0, 1.0)


def tangent_direction(u: torch.Tensor, g: torch.Tensor, tol: float = 1e-9) -> torch.Tensor:
    """Zero the outward components at active bounds (``u_i = 1, g_i > 0`` or ``u_i = -1, g_i < 0``)."""
    outward = ((u >= 1 - tol) & (g > 0)) | ((u <= -1 + tol) & (g < 0))
    return torch.where(outward, torch.zeros_like(g), g)


def normalised_step(
    u: torch.Tensor, g: torch.Tensor, eta: float, eps: float = 1e-8
) -> tuple[torch.Tensor, bool]:
    """``clip(u + eta d / ||d||)`` with d the tangent direction; returns ``(u_new, stuck)``, stuck when ``||d|| < eps``."""
    if eta <= 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    d = tangent_direction(u, g)
    n = float(d.norm())
    if n < eps:
        return u.clone(), True
    return (u + eta * d / n).clamp(-1.0, 1.0), False


def boundary_fraction(us) -> float:
    """Share of tasks ``us [n, k]`` with any ``|u_i| >= 1 - 1e-6``."""
    us = torch.as_tensor(us, dtype=torch.float64)
    return float((us.abs() >= 1 - 1e-6).any(-1).double().mean())


def longest_stuck_run(us, delta: float = 0.05) -> int:
    """Longest run of consecutive task changes with ``||u_{t+1} - u_t|| < delta``."""
    us = torch.as_tensor(us, dtype=torch.float64)
    best = run = 0
    for small in (us[1:] - us[:-1]).norm(dim=-1) < delta:
        run = run + 1 if bool(small) else 0
        best = max(best, run)
    return best
