"""Autograded exercises of the RecycleGPT series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from paperlab.core.exercises import register
from paperlab.recyclegpt.costmodel import predicted_speedup


def fused_input(prev_hidden: torch.Tensor, next_emb: torch.Tensor, w_in: torch.Tensor, b_in: torch.Tensor):
    """u_t = W_in [h_t ; E(x_{t+1})] + b_in with h (B, T, d), E(x) (B, T, d), W_in (d, 2d), b_in (d,)."""
    return torch.cat((prev_hidden, next_emb), dim=-1) @ w_in.T + b_in


def recycle_loss(rec_logits: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    """L_rec = -mean_t log q(x_{t+2} | ...): rec_logits (B, T-2, V) at t = 1..T-2, batch (B, T)."""
    v = rec_logits.shape[-1]
    return F.cross_entropy(rec_logits.reshape(-1, v), batch[:, 2:].reshape(-1))


def _fused_cases(rng: np.random.Generator):
    out = []
    for b, t, d in ((1, 3, 4), (2, 5, 8)):

        def t_(*shape):
            return torch.as_tensor(rng.normal(size=shape))

        out.append(((t_(b, t, d), t_(b, t, d), t_(d, 2 * d), t_(d)), {}))
    return out


def _loss_cases(rng: np.random.Generator):
    out = []
    for b, t, v in ((1, 5, 7), (3, 9, 11)):
        logits = torch.as_tensor(rng.normal(size=(b, t - 2, v)))
        batch = torch.as_tensor(rng.integers(0, v, size=(b, t)))
        out.append(((logits, batch), {}))
    return out


register(
    "recyclegpt.speedup",
    reference=predicted_speedup,
    cases=lambda rng: [
        ((k, r, m), {}) for k, r, m in ((1.0, 0.25, 2), (1.1, 0.3, 2), (1.2, 0.2, 3), (1.0, 0.1, 8))
    ],
    hint="a cycle emits m tokens and costs one m-token full call (kappa_m) plus m - 1 module calls (rho each)",
)
register(
    "recyclegpt.fused_input",
    reference=fused_input,
    cases=_fused_cases,
    hint="concatenate h and the embedding on the last axis (h first), then apply the d x 2d matrix and the bias",
    rtol=1e-9,
    atol=1e-9,
)
register(
    "recyclegpt.recycle_loss",
    reference=recycle_loss,
    cases=_loss_cases,
    hint="the module's output at position t predicts x_{t+2}: the targets are batch[:, 2:]",
    rtol=1e-9,
    atol=1e-9,
)
