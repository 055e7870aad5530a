"""The learned dynamics model: an MLP on normalised ``(s, a)`` predicting the normalised state change.

As in SLBO/AdMRL: predict ``Delta s``, per-sample L2-norm loss (not squared) by default, Adam with weight decay
and gradient clipping; normalisers come from real data only; predicted states are clamped so planning cannot
run off to infinity through the model.
"""

from __future__ import annotations

import torch
from torch import nn


class DynamicsModel(nn.Module):
    """``s' = s + sd_d * MLP((s - mu_s)/sd_s, (a - mu_a)/sd_a)``; ``step(s, a)`` mimics ``family.step``."""

    def __init__(self, state_dim: int, act_dim: int, hidden: int = 32, clamp: float = 20.0) -> None:
        super().__init__()
        if hidden < 1:
            raise ValueError(f"hidden must be >= 1, got {hidden}")
        self.net = nn.Sequential(
            nn.Linear(state_dim + act_dim, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, state_dim),
        ).double()
        self.clamp = clamp
        for name, n in (
            ("mu_in", state_dim + act_dim),
            ("sd_in", state_dim + act_dim),
            ("sd_out", state_dim),
        ):
            self.register_buffer(
                name,
                torch.zeros(n, dtype=torch.float64)
                if name == "mu_in"
                else torch.ones(n, dtype=torch.float64),
            )

    def delta_normalised(self, s: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return self.net((torch.cat([s, a], -1) - self.mu_in) / self.sd_in)

    def step(self, s: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return (s + self.sd_out * self.delta_normalised(s, a)).clamp(-self.clamp, self.clamp)


def fit(
    model: DynamicsModel,
    S: torch.Tensor,
    A: torch.Tensor,
    S2: torch.Tensor,
    steps: int,
    gen: torch.Generator,
    batch: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    grad_clip: float = 2.0,
    loss: str = "l2norm",
) -> float:
    """Fit on all transitions ``S [n, d], A [n, m], S2 [n, d]``; returns the last minibatch loss."""
    if loss not in ("l2norm", "mse"):
        raise ValueError(f"loss must be 'l2norm' or 'mse', got {loss!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    X, D = torch.cat([S, A], -1), S2 - S
    model.mu_in.copy_(X.mean(0))
    model.sd_in.copy_(X.std(0).clamp_min(1e-3))
    model.sd_out.copy_(D.std(0).clamp_min(1e-3))
    opt = torch.optim.Adam(model.net.parameters(), lr=lr, weight_decay=weight_decay)
    last = float("nan")
    for _ in range(steps):
        idx = torch.randint(0, S.shape[0], (min(batch, S.shape[0]),), generator=gen)
        err = model.delta_normalised(S[idx], A[idx]) - D[idx] / model.sd_out
        value = err.norm(dim=-1).mean() if loss == "l2norm" else (err**2).sum(-1).mean()
        opt.zero_grad()
        value.backward()
        nn.utils.clip_grad_norm_(model.net.parameters(), grad_clip)
        opt.step()
        last = float(value.detach())
    return last
