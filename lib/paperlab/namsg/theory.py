"""Theorem 1 of ARSG (arXiv 1905.01422 v2/v3): NAMSG on a noiseless quadratic ``f = lambda x^2 / 2``.

With the preconditioner frozen (folded into the step, ``alpha = alpha_0 / sqrt(vhat_i)`` per coordinate)
and ``tau = alpha * lambda``, the state ``(m_{t-1}, x_t)`` evolves linearly:

    [m_t    ]   [ beta                 (1-beta) lambda          ] [m_{t-1}]
    [x_{t+1}] = [ -alpha(1-mu) beta    1 - tau(1 - beta(1-mu))  ] [x_t    ]

trace ``rho = 1 + beta - tau(1 - beta(1-mu))``, determinant ``beta(1 - mu tau)``, eigenvalues
``(rho -+ sqrt(chi))/2`` with ``chi = rho^2 - 4 beta (1 - mu tau)``. The gain factor ``r_g`` is the
spectral radius: the per-step contraction of the slowest mode. All functions accept scalars or numpy
arrays for ``tau`` and return numpy floats/arrays.
"""

from __future__ import annotations

import numpy as np


def _check_beta_mu(beta: float, mu: float) -> None:
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    if not 0.0 <= mu <= 1.0:
        raise ValueError(f"mu must be in [0, 1], got {mu}")


def iteration_matrix(beta: float, mu: float, tau: float, lam: float = 1.0) -> np.ndarray:
    """The 2x2 linear map of ``(m_{t-1}, x_t) -> (m_t, x_{t+1})`` for curvature ``lam`` (``alpha = tau/lam``)."""
    _check_beta_mu(beta, mu)
    if lam <= 0:
        raise ValueError(f"lam must be positive, got {lam}")
    alpha = tau / lam
    return np.array(
        [
            [beta, (1 - beta) * lam],  # m_t = beta m_{t-1} + (1-beta) g_t,  g_t = lam x_t
            [-alpha * (1 - mu) * beta, 1 - tau * (1 - beta * (1 - mu))],  # x - alpha((1-mu) m_t + mu g_t)
        ]
    )


def trace(beta: float, mu: float, tau):
    """``rho(tau) = 1 + beta - tau (1 - beta (1 - mu))``."""
    return 1 + beta - np.asarray(tau, dtype=float) * (1 - beta * (1 - mu))


def determinant(beta: float, mu: float, tau):
    """``beta (1 - mu tau)``."""
    return beta * (1 - mu * np.asarray(tau, dtype=float))


def chi(beta: float, mu: float, tau):
    """Discriminant ``rho^2 - 4 beta (1 - mu tau)``; negative means complex eigenvalues (oscillation)."""
    return trace(beta, mu, tau) ** 2 - 4 * determinant(beta, mu, tau)


def gain_factor(beta: float, mu: float, tau):
    """Spectral radius ``r_g = max_i |r_i|`` of :func:`iteration_matrix` (closed form, vectorised in ``tau``)."""
    _check_beta_mu(beta, mu)
    t = np.asarray(tau, dtype=float)
    rho, c = trace(beta, mu, t), chi(beta, mu, t)
    complex_gain = np.sqrt(np.abs(determinant(beta, mu, t)))  # |r_1| = |r_2| = sqrt(det) when chi < 0
    root = np.sqrt(np.maximum(c, 0.0))
    real_gain = np.maximum(np.abs(rho - root), np.abs(rho + root)) / 2
    out = np.where(c < 0, complex_gain, real_gain)
    return float(out) if out.ndim == 0 else out


def tau_stability(beta: float, mu: float) -> float:
    """``tau_rb = 2(1+beta) / (1 - beta + 2 beta mu)``: above it an eigenvalue passes -1 and NAMSG diverges."""
    _check_beta_mu(beta, mu)
    return 2 * (1 + beta) / (1 - beta + 2 * beta * mu)


def tau_cb2(beta: float, mu: float) -> float:
    """Upper edge of the complex region, where ``r_g`` is smallest (best damping):

    ``tau_cb2 = (1-beta)(1 + beta - beta mu + 2 sqrt(beta (1-mu))) / (1 - beta + beta mu)^2``.
    """
    _check_beta_mu(beta, mu)
    return (1 - beta) * (1 + beta - beta * mu + 2 * np.sqrt(beta * (1 - mu))) / (1 - beta + beta * mu) ** 2


def obsb_lr_ratio(beta: float, mu_old: float, mu_new: float) -> float:
    """Step-size factor of the observation boost: keep ``tau`` at the gain minimum when mu changes,
    ``tau_cb2(beta, mu_new) / tau_cb2(beta, mu_old)`` (0.2483 for beta=0.999, mu 0.05 -> 0.1)."""
    if mu_old <= 0:
        raise ValueError(f"mu_old must be positive, got {mu_old}")
    return float(tau_cb2(beta, mu_new) / tau_cb2(beta, mu_old))


def eta_from_mu(beta: float, mu: float) -> float:
    """Observation distance of v1: ``eta = mu beta / (1 - beta)`` momentum steps ahead."""
    _check_beta_mu(beta, mu)
    return mu * beta / (1 - beta)


def mu_from_eta(beta: float, eta: float) -> float:
    """Inverse of :func:`eta_from_mu`: ``mu = eta (1 - beta) / beta``."""
    if not 0.0 < beta < 1.0:
        raise ValueError(f"beta must be in (0, 1), got {beta}")
    if eta < 0:
        raise ValueError(f"eta must be non-negative, got {eta}")
    return eta * (1 - beta) / beta


def guideline(kappa: float, lambda_max: float, c_b: float, c_mu: float, c_a: float) -> dict:
    """Hyper-parameters from the guideline theorem and the predicted worst-direction rate.

    ``beta = 1 - c_b/sqrt(kappa)``, ``mu = c_mu/sqrt(kappa)``, ``alpha = c_a sqrt(kappa)/lambda_max`` with
    ``c_a <= 2/(c_b + c_mu)``; rate ``1 - (c_b - sqrt(c_b(c_b - 4 c_a)))/(2 sqrt(kappa))`` if ``4 c_a < c_b``
    else ``1 - c_b/(2 sqrt(kappa))``.
    """
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    if lambda_max <= 0:
        raise ValueError(f"lambda_max must be positive, got {lambda_max}")
    if min(c_b, c_mu, c_a) <= 0:
        raise ValueError("c_b, c_mu and c_a must be positive")
    if c_a > 2 / (c_b + c_mu) + 1e-12:
        raise ValueError(f"c_a must be <= 2/(c_b + c_mu) = {2 / (c_b + c_mu):.4g}, got {c_a}")
    s = np.sqrt(kappa)
    if 4 * c_a < c_b:
        rate = 1 - (c_b - np.sqrt(c_b * (c_b - 4 * c_a))) / (2 * s)
    else:
        rate = 1 - c_b / (2 * s)
    return {"beta": 1 - c_b / s, "mu": c_mu / s, "alpha": c_a * s / lambda_max, "predicted_rate": float(rate)}


def simulated_contraction(beta: float, mu: float, tau: float, steps: int = 4000) -> float:
    """Measured per-step contraction of NAMSG on ``f = x^2/2`` (lambda=1, preconditioner frozen at 1).

    Runs the rule ``m = beta m + (1-beta) g``, ``x -= tau((1-mu) m + mu g)`` from ``(m, x) = (0, 1)``
    and returns ``(|z_T| / |z_{T/2}|)^(1/(T/2))`` with ``z = (m, x)``: the spectral radius once the
    slowest mode dominates (the transient half is discarded). Renormalises to avoid underflow.
    """
    if steps < 10:
        raise ValueError(f"steps must be >= 10, got {steps}")
    m, x, log_scale = 0.0, 1.0, 0.0
    half = steps // 2
    log_half = 0.0
    for t in range(steps):
        g = x
        m = beta * m + (1 - beta) * g
        x = x - tau * ((1 - mu) * m + mu * g)
        n = np.hypot(m, x)
        if n > 0:
            log_scale += np.log(n)
            m, x = m / n, x / n
        if t + 1 == half:
            log_half = log_scale
    return float(np.exp((log_scale - log_half) / (steps - half)))
