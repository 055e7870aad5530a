"""Widget logic: the one-step scalar LQ toy where the gap and its IFT gradient are formulas.

Dynamics ``x1 = b u`` (from ``x0 = 0``), reward ``-(x1 - psi)^2 - r u^2``; the learned model has ``b_hat = b (1 + e)``.
``u*(psi) = b psi / (b^2 + r)``, ``u_hat(psi) = b_hat psi / (b_hat^2 + r)``, gap ``L = (b^2 + r)(u_hat - u*)^2``.
IFT: ``H = -2 (b_hat^2 + r)``, ``J = 2 b_hat``, ``g = -2((b^2 + r) u_hat - b psi)``,
``dL/dpsi = 2 b (u* - u_hat) + J g / H``.
"""

from __future__ import annotations

import numpy as np

B, R = 1.0, 0.5


def scalar_lq_gap(
    psi: float,
    model_error: float,
    b: float = B,
    r: float = R,
    box: tuple[float, float] = (-2.0, 2.0),
    n: int = 81,
) -> dict:
    """The toy at ``psi`` with relative model error ``model_error`` (> -1): gap curve over the box, gap, IFT gradient."""
    if model_error <= -1:
        raise ValueError(f"model_error must be > -1 (b_hat = b (1 + model_error) > 0), got {model_error}")
    if not box[0] <= psi <= box[1]:
        raise ValueError(f"psi must lie in the box {box}, got {psi}")
    bh = b * (1 + model_error)

    def gap(p):
        u_star, u_hat = b * p / (b * b + r), bh * p / (bh * bh + r)
        return (b * b + r) * (u_hat - u_star) ** 2

    u_star, u_hat = b * psi / (b * b + r), bh * psi / (bh * bh + r)
    H, J, g = -2 * (bh * bh + r), 2 * bh, -2 * ((b * b + r) * u_hat - b * psi)
    grad = 2 * b * (u_star - u_hat) + J * g / H
    grid = np.linspace(box[0], box[1], n)
    return {
        "psi_grid": grid,
        "gap_curve": gap(grid),
        "gap": float(gap(psi)),
        "grad_ift": float(grad),
        "u_star": u_star,
        "u_hat": u_hat,
    }


def plot_scalar_lq(psi: float, model_error: float):
    """Figure of the gap curve with the IFT tangent at psi (used by 01's explorer)."""
    import matplotlib.pyplot as plt

    out = scalar_lq_gap(psi, model_error)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(out["psi_grid"], out["gap_curve"], label="gap L(psi)")
    x = np.linspace(psi - 0.5, psi + 0.5, 3)
    ax.plot(x, out["gap"] + out["grad_ift"] * (x - psi), "--", label="IFT tangent")
    ax.plot([psi], [out["gap"]], "o")
    ax.set(xlabel="task psi", ylabel="sub-optimality gap", title=f"model error {model_error:+.2f}")
    ax.legend()
    return fig, out
