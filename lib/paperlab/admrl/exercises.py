"""Autograded exercises of the AdMRL series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.admrl import adversary, gap, reinforce
from paperlab.core.exercises import register


def _spd(rng: np.random.Generator, p: int) -> np.ndarray:
    X = rng.normal(size=(p, p))
    return X @ X.T + p * np.eye(p)


def _implicit_cases(rng):
    out = []
    for p, k in ((3, 1), (5, 2)):
        H = -torch.tensor(_spd(rng, p))
        out.append(((H, torch.tensor(rng.normal(size=(p, k))), torch.tensor(rng.normal(size=p))), {}))
    return out


def _cg_reference(A: torch.Tensor, b: torch.Tensor, iters: int) -> torch.Tensor:
    return gap.conjugate_gradient(lambda v: A @ v, b, iters, tol=1e-12)[0]


def _cg_cases(rng):
    return [((torch.tensor(_spd(rng, p)), torch.tensor(rng.normal(size=p)), p), {}) for p in (3, 6)]


def _step_cases(rng):
    u = torch.tensor([0.9, -1.0, 0.2])
    return [
        ((u, torch.tensor([1.0, -2.0, 0.5]), 0.5), {}),
        ((torch.tensor(rng.uniform(-1, 1, 2)), torch.tensor(rng.normal(size=2)), 0.25), {}),
    ]


def _hvp_cases(rng):
    out = []
    for n, p in ((1, 2), (5, 3), (40, 6)):
        scores = torch.tensor(rng.normal(size=(n, p)))
        X = rng.normal(size=(n, p, p))
        hess = torch.tensor(-(X @ X.transpose(0, 2, 1)))  # symmetric, like a Hessian of log pi
        out.append(((scores, hess, torch.tensor(rng.normal(size=n)), torch.tensor(rng.normal(size=p))), {}))
    return out


def _gae_cases(rng):
    out = []
    for n, H, gamma, lam in ((1, 3, 0.9, 0.0), (2, 5, 0.9, 1.0), (3, 6, 0.99, 0.95)):
        out.append(
            ((torch.tensor(rng.normal(size=(n, H))), torch.tensor(rng.normal(size=(n, H + 1))), gamma, lam), {})
        )
    return out


register(
    "admrl.reinforce_hvp",
    reference=reinforce.score_hvp,
    cases=_hvp_cases,
    hint="per row: w * (s * (s . v) + Hl @ v); then the mean over rows. No p x p outer product is needed",
    rtol=1e-8,
    atol=1e-10,
)
register(
    "admrl.gae",
    reference=lambda rewards, values, gamma, lam: reinforce.gae(rewards, values, gamma, lam),
    cases=_gae_cases,
    hint="delta_t = r_t + gamma V_{t+1} - V_t; scan backwards: A_t = delta_t + gamma lam A_{t+1}, A_H = 0",
    rtol=1e-8,
    atol=1e-10,
)
register(
    "admrl.implicit_term",
    reference=gap.implicit_term,
    cases=_implicit_cases,
    hint="J^T H^{-1} g: solve H x = g with torch.linalg.solve, then multiply by J.T",
    rtol=1e-8,
)
register(
    "admrl.conjugate_gradient",
    reference=_cg_reference,
    cases=_cg_cases,
    hint="x=0, r=p=b; alpha=r.r/p.Ap; x+=alpha p; r_new=r-alpha Ap; p=r_new+(r_new.r_new/r.r) p; p iterations solve exactly",
    rtol=1e-6,
    atol=1e-8,
)
register(
    "admrl.projected_step",
    reference=lambda u, g, alpha: adversary.projected_step(u, g, alpha),
    cases=_step_cases,
    hint="gradient ascent in u, then clip every coordinate back into [-1, 1]",
)
