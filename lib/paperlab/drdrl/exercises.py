"""Autograded exercises of the DRDRL series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.core.exercises import register
from paperlab.drdrl.loss import disentanglement
from paperlab.drdrl.ops import convolve_categoricals, project_categorical


def convolve_reference(p: torch.Tensor) -> torch.Tensor:
    """``p [N, K]`` channel distributions -> full distribution ``[N(K-1)+1]``."""
    return convolve_categoricals(p[None, :, None, :])[0, 0]


def _convolve_cases(rng: np.random.Generator):
    out = []
    for n, k in ((1, 4), (2, 3), (3, 5)):
        out.append(((torch.softmax(torch.as_tensor(rng.normal(size=(n, k))), -1),), {}))
    return out


register(
    "drdrl.convolve",
    reference=convolve_reference,
    cases=_convolve_cases,
    hint="start from F = p[0]; for each later channel F = sum_k F shifted by k times p[i, k] (np.convolve does it)",
)


def project_reference(tz: torch.Tensor, probs: torch.Tensor, support: torch.Tensor) -> torch.Tensor:
    """1-D C51 projection: mass ``probs [M']`` at ``tz [M']`` onto the uniform ``support [M]``."""
    return project_categorical(tz[None], probs[None], support)[0]


def _project_cases(rng: np.random.Generator):
    z = torch.linspace(0.0, 2.0, 5, dtype=torch.float64)
    on_atom = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0], dtype=torch.float64)  # l == u everywhere
    return [
        ((on_atom, torch.softmax(torch.as_tensor(rng.normal(size=5)), -1), z), {}),
        (
            (
                torch.as_tensor(rng.uniform(-0.5, 2.5, size=5)),
                torch.softmax(torch.as_tensor(rng.normal(size=5)), -1),
                z,
            ),
            {},
        ),
        ((0.3 + 0.9 * z, torch.softmax(torch.as_tensor(rng.normal(size=5)), -1), z), {}),
    ]


register(
    "drdrl.project",
    reference=project_reference,
    cases=_project_cases,
    hint="clip tz to [z_0, z_-1]; b = (tz - z_0)/delta; split each mass between floor(b) and ceil(b) "
    "with weights (u - b) and (b - l), and give ALL of it to l when l == u",
)


def disent_reference(full_probs: torch.Tensor, sub_q: torch.Tensor) -> torch.Tensor:
    """One state: ``full_probs [A, M]``, ``sub_q [N, A]`` -> J = sum_{i != j} KL(F(a*_i) || F(a*_j))."""
    return disentanglement(full_probs[None], sub_q[None], "kl")[0][0]


def _disent_cases(rng: np.random.Generator):
    out = []
    for n in (2, 3):
        f = torch.softmax(torch.as_tensor(rng.normal(size=(4, 6))), -1)
        out.append(((f, torch.as_tensor(rng.normal(size=(n, 4)))), {}))
    f = torch.softmax(torch.as_tensor(rng.normal(size=(4, 6))), -1)
    out.append(
        ((f, torch.tensor([[0.0, 1.0, 0, 0], [0, 2.0, 0, 0]], dtype=torch.float64)), {})
    )  # all agree: J = 0
    return out


register(
    "drdrl.disentangle",
    reference=disent_reference,
    cases=_disent_cases,
    hint="a_star = sub_q.argmax(1); F = full_probs[a_star] ([N, M]); add KL(F[i] || F[j]) = sum F[i] (log F[i] - log F[j]) over i != j",
    rtol=1e-4,
    atol=1e-6,
)
