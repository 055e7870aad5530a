"""Cross-entropy of the three decoding modes on validation windows, and a bigram baseline."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from paperlab.recyclegpt.model import RecycleGPT


def val_windows(ids: np.ndarray, ctx: int, n_windows: int) -> torch.Tensor:
    """The first ``n_windows`` non-overlapping windows of length ``ctx``: (n_windows, ctx) int64."""
    if ctx < 3:
        raise ValueError(f"ctx must be >= 3, got {ctx}")
    if n_windows < 1 or n_windows * ctx > len(ids):
        raise ValueError(f"n_windows must be in [1, {len(ids) // ctx}] for {len(ids)} ids, got {n_windows}")
    return torch.as_tensor(np.asarray(ids[: n_windows * ctx]).reshape(n_windows, ctx), dtype=torch.long)


@torch.no_grad()
def position_ce(
    model: RecycleGPT, x: torch.Tensor, use_embedding: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-position CE of x (B, T): full model on targets x_2..x_T (B, T-1), module on x_3..x_T (B, T-2)."""
    v = model.cfg.vocab_size
    logits, h = model.base(x)
    ce_f = F.cross_entropy(logits[:, :-1].reshape(-1, v), x[:, 1:].reshape(-1), reduction="none")
    r = model.rec(h[:, :-2], x[:, 1:-1], use_embedding=use_embedding)
    ce_r = F.cross_entropy(model.logits(r).reshape(-1, v), x[:, 2:].reshape(-1), reduction="none")
    return ce_f.view(x.shape[0], -1), ce_r.view(x.shape[0], -1)


def cross_entropy_std_rec_alt(
    model: RecycleGPT, data: np.ndarray, ctx: int, n_batches: int, batch: int = 16, use_embedding: bool = True
) -> dict[str, float]:
    """Mean CE (nats/char) over n_batches x batch validation windows of length ctx.

    std: the full model on every target. rec: the module on every target it can score (x_3..x_T).
    alt: alternating decoding teacher-forced from a 1-token prompt: window targets j = 2, 4, 6, ...
    (1-based) come from the full model, j = 3, 5, ... from the module, exactly what
    ``generate_alternating(m=2, targets=...)`` scores.
    """
    x = val_windows(data, ctx, n_batches * batch)
    ce_f, ce_r = [], []
    for chunk in x.split(batch):
        f, r = position_ce(model, chunk, use_embedding)
        ce_f.append(f)
        ce_r.append(r)
    ce_f, ce_r = torch.cat(ce_f), torch.cat(ce_r)
    # 0-based target j = 1..T-1: odd j -> full model (ce_f[:, j-1]), even j -> module (ce_r[:, j-2])
    alt = torch.cat((ce_f[:, 0::2], ce_r[:, 0::2]), dim=1)
    return {"std": ce_f.mean().item(), "rec": ce_r.mean().item(), "alt": alt.mean().item()}


def window_std_ce(model: RecycleGPT, data: np.ndarray, ctx: int, n_windows: int, batch: int = 16) -> np.ndarray:
    """Full-model (standard) CE of each validation window, averaged over its ctx - 1 targets: (n_windows,).

    Two models scored on the same windows give paired per-window differences (evaluation-sampling noise).
    """
    x = val_windows(data, ctx, n_windows)
    return torch.cat([position_ce(model, chunk)[0].mean(dim=1) for chunk in x.split(batch)]).numpy()


def bigram_ce(train: np.ndarray, val: np.ndarray, vocab_size: int, skip: int = 1) -> float:
    """CE of p(x_{t+skip} | x_t) estimated by add-one counts on train, scored on val (nats/char).

    The module knows x_{t+1} when it predicts x_{t+2}, so its floor to beat is the bigram (skip=1);
    a head without E(x_{t+1}) (ablation R4) is closer to the skip-bigram p(x_{t+2} | x_t) (skip=2).
    """
    if skip < 1:
        raise ValueError(f"skip must be >= 1, got {skip}")
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train[:-skip], train[skip:]), 1.0)
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-logp[val[:-skip], val[skip:]].mean())
