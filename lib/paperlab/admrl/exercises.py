"""Autograded exercises of the AdMRL series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.admrl import adversary, gap
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
