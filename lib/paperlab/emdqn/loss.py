"""The EMDQN objective: TD loss plus lambda times a memory loss towards the episodic return H."""

from __future__ import annotations

import torch

from paperlab.rl.dqn import huber


def emdqn_loss(
    q_sa: torch.Tensor,
    td_target: torch.Tensor,
    H: torch.Tensor,
    hit_mask: torch.Tensor,
    lam: float = 0.1,
    kind: str = "huber",
) -> tuple[torch.Tensor, dict[str, float]]:
    r""":math:`L = \frac1B\sum_b \ell(Q_b - S_b) + \lambda\, m_b\, \ell(Q_b - H_b)` with :math:`\ell` Huber (the
    official code) or the square (the paper's text). ``H`` and ``td_target`` are constants (no gradient).

    On a miss (:math:`m_b = 0`) the memory target is replaced by :math:`Q_b` itself, as in the official code,
    so that sample's memory term and its gradient are exactly 0 (even if ``H`` holds garbage there).
    All tensors are ``[B]``. Returns ``(loss, {"td", "mem", "hit_rate"})``.
    """
    if q_sa.dim() != 1:
        raise ValueError(f"q_sa must be [B], got shape {tuple(q_sa.shape)}")
    for name, t in (("td_target", td_target), ("H", H), ("hit_mask", hit_mask)):
        if t.shape != q_sa.shape:
            raise ValueError(f"{name} must have the shape of q_sa {tuple(q_sa.shape)}, got {tuple(t.shape)}")
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    if kind not in ("huber", "mse"):
        raise ValueError(f"kind must be 'huber' or 'mse', got {kind!r}")
    ell = huber if kind == "huber" else torch.square
    hit = hit_mask.bool()
    mem_target = torch.where(hit, H.to(q_sa.dtype), q_sa).detach()
    td = ell(q_sa - td_target.detach())
    mem = hit.to(q_sa.dtype) * ell(q_sa - mem_target)
    loss = (td + lam * mem).mean()
    return loss, {
        "td": float(td.mean().detach()),
        "mem": float(mem.mean().detach()),
        "hit_rate": float(hit.float().mean()),
    }
