"""Autograded exercises of the NAMSG series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.core.exercises import register
from paperlab.namsg import theory


def namsg_step_reference(p, g, m, v, vhat, lr, beta1, beta2, mu):
    """One NAMSG step for one tensor; returns the new ``(p, m, v, vhat)`` (inputs are not modified)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    vhat = torch.maximum(vhat, v)
    p = p - lr * ((1 - mu) * m + mu * g) / vhat.sqrt()
    return p, m, v, vhat


def _step_cases(rng: np.random.Generator):
    cases = []
    for shape, mu in (((5,), 0.1), ((3, 4), 0.0), ((2, 3), 0.5)):
        p, g, m = (torch.tensor(rng.normal(size=shape)) for _ in range(3))
        vhat = torch.tensor(rng.uniform(1e-8, 0.5, size=shape))
        cases.append(((p, g, m, vhat * 0.5, vhat, 0.1, 0.999, 0.99, mu), {}))
    return cases


register(
    "namsg.step",
    reference=namsg_step_reference,
    cases=_step_cases,
    hint="m and v are moving averages of g and g^2; vhat is the elementwise max of the old vhat and the new v; "
    "the numerator mixes (1-mu) m with mu g; divide by sqrt(vhat), not sqrt(vhat) + eps",
    rtol=1e-10,
    atol=1e-12,
)

register(
    "namsg.iteration_matrix",
    reference=lambda beta, mu, tau, lam: theory.iteration_matrix(beta, mu, tau, lam),
    cases=lambda rng: [
        ((float(b), float(m), float(t), float(lam)), {})
        for b, m, t, lam in zip(
            rng.uniform(0.5, 0.999, 4),
            rng.uniform(0, 1, 4),
            rng.uniform(0.01, 3, 4),
            rng.uniform(0.1, 5, 4),
            strict=True,
        )
    ],
    hint="write m_t and x_{t+1} as linear functions of (m_{t-1}, x_t) with g_t = lam x_t and alpha = tau/lam; "
    "substitute m_t into the x update",
    rtol=1e-10,
    atol=1e-12,
)

register(
    "namsg.obsb_lr_ratio",
    reference=theory.obsb_lr_ratio,
    cases=lambda rng: [((0.999, 0.05, 0.1), {}), ((0.9, 0.1, 0.2), {}), ((0.99, 0.02, 0.04), {})],
    hint="the boost keeps tau = alpha lambda at the gain minimum tau_cb2, so alpha scales by "
    "tau_cb2(beta, mu_new) / tau_cb2(beta, mu_old)",
    rtol=1e-9,
    atol=1e-12,
)

register(
    "namsg.tau_stability",
    reference=theory.tau_stability,
    cases=lambda rng: [
        ((float(b), float(m)), {})
        for b, m in zip(rng.uniform(0, 0.999, 5), rng.uniform(0, 1, 5), strict=True)
    ],
    hint="instability starts where an eigenvalue reaches -1: set the characteristic polynomial "
    "r^2 - rho r + det to zero at r = -1 and solve 1 + rho + det = 0 for tau",
    rtol=1e-9,
    atol=1e-12,
)
