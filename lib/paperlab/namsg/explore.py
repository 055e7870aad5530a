"""Explorer logic: optimizer trajectories on a 2-D ill-conditioned quadratic ``f = (x^2 + y^2/kappa)/2``.

Curvatures are ``lambda_max = 1`` (x) and ``lambda_min = 1/kappa`` (y), so ``tau = alpha * lambda`` is
``alpha`` along x and ``alpha/kappa`` along y.
"""

from __future__ import annotations

import numpy as np
import torch

from paperlab.namsg import theory
from paperlab.namsg.optim import NAMSG

START = (1.0, 1.0)


def quadratic_trajectories(beta: float, mu: float, tau: float, kappa: float, steps: int) -> dict:
    """NAMSG with a frozen (identity) preconditioner, i.e. the Theorem-1 dynamics, from ``(1, 1)``.

    Returns ``{"xy": (steps+1, 2) iterates, "f": (steps+1,) objective, "gain": (r_g along x, r_g along y),
    "rate": max of the two, "stable": tau < tau_stability}``.
    """
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if tau <= 0:
        raise ValueError(f"tau must be positive, got {tau}")
    lam = np.array([1.0, 1.0 / kappa])
    alpha = tau  # lambda_max = 1
    x, m = np.array(START), np.zeros(2)
    xs = [x.copy()]
    for _ in range(steps):
        g = lam * x
        m = beta * m + (1 - beta) * g
        x = x - alpha * ((1 - mu) * m + mu * g)
        if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e12:
            x = np.full(2, np.nan)
        xs.append(x.copy())
    xy = np.array(xs)
    gains = (theory.gain_factor(beta, mu, tau), theory.gain_factor(beta, mu, tau / kappa))
    return {
        "xy": xy,
        "f": 0.5 * (lam * xy**2).sum(axis=1),
        "gain": gains,
        "rate": max(gains),
        "stable": bool(tau < theory.tau_stability(beta, mu)),
    }


def optimizer_trajectories(
    kappa: float, steps: int, lr_scale: float = 1.0, mu: float = 0.1, beta1: float = 0.999
) -> dict[str, np.ndarray]:
    """Each optimizer's path on the quadratic (float64, from ``(1, 1)``): ``{name: (steps+1, 2)}``.

    Step sizes follow the paper's ratios: SGD-momentum ``0.5 lr_scale / (1/(1-0.9))``, Adam/NAdam/AMSGrad
    ``0.01 lr_scale`` and NAMSG ``0.1 lr_scale`` (10x Adam, Table A1's typical ratio).
    """
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    if lr_scale <= 0:
        raise ValueError(f"lr_scale must be positive, got {lr_scale}")
    lam = torch.tensor([1.0, 1.0 / kappa], dtype=torch.float64)
    makers = {
        "SGD-momentum": lambda p: torch.optim.SGD(p, lr=0.05 * lr_scale, momentum=0.9),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.01 * lr_scale),
        "NAdam": lambda p: torch.optim.NAdam(p, lr=0.01 * lr_scale),
        "AMSGrad": lambda p: torch.optim.Adam(p, lr=0.01 * lr_scale, amsgrad=True),
        "NAMSG": lambda p: NAMSG(p, lr=0.1 * lr_scale, betas=(beta1, 0.99), mu=mu),
    }
    out = {}
    for name, make in makers.items():
        x = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = make([x])
        path = [x.detach().clone()]
        for _ in range(steps):
            opt.zero_grad()
            (0.5 * (lam * x**2).sum()).backward()
            opt.step()
            path.append(x.detach().clone())
        out[name] = torch.stack(path).numpy()
    return out


def plot_remote(beta: float, mu: float, tau: float, kappa: float, steps: int):
    """Explorer figure for notebook 01: the 2-D path (left) and ``r_g(tau)`` with this tau marked (right)."""
    import matplotlib.pyplot as plt

    out = quadratic_trajectories(beta, mu, tau, kappa, steps)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    a.plot(out["xy"][:, 0], out["xy"][:, 1], lw=0.8)
    a.plot(0, 0, "k*")
    a.set(
        xlabel="x (curvature 1)",
        ylabel=f"y (curvature 1/{kappa:g})",
        title=f"beta={beta:g}, mu={mu:g}, tau={tau:.3g}: rate {out['rate']:.4f}",
    )
    taus = np.geomspace(1e-4, 1.2 * theory.tau_stability(beta, mu), 800)
    b.plot(taus, theory.gain_factor(beta, mu, taus), label="r_g(tau)")
    for t, ls in ((tau, "-"), (tau / kappa, ":")):
        b.axvline(t, color="C3", ls=ls)
    if mu > 0:
        b.axvline(theory.tau_cb2(beta, mu), color="k", ls="--", label="tau_cb2")
    b.set(
        xscale="log",
        ylim=(min(0.5, out["rate"] - 0.05), 1.05),
        xlabel="tau = alpha lambda",
        ylabel="gain factor",
        title="red: x (solid) and y (dotted) directions",
    )
    b.legend()
    return fig


def plot_optimizers(kappa: float, steps: int, lr_scale: float = 1.0, mu: float = 0.1, beta1: float = 0.999):
    """Explorer figure for notebook 04: each optimizer's path and its objective against steps."""
    import matplotlib.pyplot as plt

    paths = optimizer_trajectories(kappa, steps, lr_scale, mu, beta1)
    lam = np.array([1.0, 1.0 / kappa])
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, xy in paths.items():
        a.plot(xy[:, 0], xy[:, 1], lw=0.8, label=name)
        b.plot(np.maximum(0.5 * (lam * xy**2).sum(axis=1), 1e-16), label=name)
    a.plot(0, 0, "k*")
    a.set(xlabel="x (curvature 1)", ylabel=f"y (curvature 1/{kappa:g})", title="paths from (1, 1)")
    b.set(yscale="log", xlabel="step", ylabel="f(x)", title=f"kappa={kappa:g}, lr x{lr_scale:g}, mu={mu:g}")
    b.legend(fontsize=8)
    return fig
