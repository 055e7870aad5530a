"""Small helpers the notebooks share: scoring m-step recycling, side-by-side generation, the explorer."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.recyclegpt import corpus as corpus_mod
from paperlab.recyclegpt.costmodel import predicted_speedup, rho_memory_bound
from paperlab.recyclegpt.decode import generate_alternating, generate_standard
from paperlab.recyclegpt.evaluate import val_windows
from paperlab.recyclegpt.model import RecycleGPT


def alternating_ce(model: RecycleGPT, ids: np.ndarray, ctx: int, n_windows: int, m: int = 2) -> dict:
    """Teacher-forced CE of m-step alternating decoding over validation windows (nats/char).

    Each window's first character is the prompt; the other ctx - 1 are scored by the call that would
    emit them: step 0 of every cycle by the full model, steps 1..m-1 by the module (steps >= 2 on its
    own output r instead of h, exactly as in decoding).

    Returns {"alt": mean CE, "by_step": [mean CE of cycle step k for k < m]}.
    """
    x = val_windows(ids, ctx, n_windows)
    _, stats = generate_alternating(model, x[:, :1], ctx - 1, m=m, targets=x[:, 1:])
    nll = stats.nll
    return {"alt": nll.mean().item(), "by_step": [nll[:, k::m].mean().item() for k in range(min(m, ctx - 1))]}


def side_by_side(
    model: RecycleGPT, prompt: str, n_new: int, m: int = 2, temperature: float = 0.0, seed: int = 0
) -> dict:
    """Generate from ``prompt`` in standard and alternating mode; return both texts, stats and agreement."""
    if not prompt:
        raise ValueError("prompt must be a non-empty string")
    ids = torch.as_tensor(corpus_mod.encode(prompt))[None]
    std, s_std = generate_standard(model, ids, n_new, temperature=temperature, seed=seed)
    alt, s_alt = generate_alternating(model, ids, n_new, m=m, temperature=temperature, seed=seed)
    return {
        "standard": corpus_mod.decode(std[0].tolist()),
        "alternating": corpus_mod.decode(alt[0].tolist()),
        "agreement": float((std == alt).double().mean()),
        "stats": {"standard": s_std, "alternating": s_alt},
    }


def explorer_text(
    kappa_m: float,
    rho: float,
    m: int,
    vocab_size: int,
    d_model: int = 128,
    n_layers: int = 6,
    rec_layers: int = 1,
) -> str:
    """The cost model's story for one setting (the explorer widget in notebook 01 only wires sliders here).

    Shows S_m for the given (kappa_m, rho), the 1/rho ceiling, and the memory-bound rho implied by the
    vocabulary: P_F = 12 d^2 L, P_R = 12 d^2 L_r + 2 d^2 (W_in), P_head = V d.
    """
    p_full = 12 * d_model**2 * n_layers
    p_rec = 12 * d_model**2 * rec_layers + 2 * d_model**2
    p_head = vocab_size * d_model
    rho_mem = rho_memory_bound(p_rec, p_full, p_head)
    return (
        f"S_{m} = {m} / (kappa_{m} + {m - 1} rho) = {predicted_speedup(kappa_m, rho, m):.3f}  "
        f"(ceiling 1/rho = {1 / rho if rho > 0 else float('inf'):.2f})\n"
        f"memory-bound rho for V={vocab_size}, d={d_model}, L={n_layers}, L_r={rec_layers}: {rho_mem:.3f} "
        f"-> S_{m} = {predicted_speedup(kappa_m, rho_mem, m):.3f}"
    )
