"""A char-level GRU on CPython's own documentation: the WikiText-2 protocol of the paper in miniature.

Text: ``pydoc_data.topics`` (ships with CPython, no download; its exact content depends on the Python
version, so notebooks print its length and a hash). Protocol mirrored from the paper's LSTM runs:
gradient clipping 0.25 and the step size divided by 4 at 50% and 75% of training.
"""

from __future__ import annotations

import hashlib
import math

import torch
from torch import nn

from paperlab.namsg.bench import make_optimizer


def char_corpus(n_chars: int) -> tuple[torch.Tensor, list[str], str]:
    """The first ``n_chars`` characters of the pydoc topics as int64 ids, the vocabulary, and a SHA-256
    (first 12 hex digits) of the text used."""
    from pydoc_data.topics import topics

    if n_chars < 100:
        raise ValueError(f"n_chars must be >= 100, got {n_chars}")
    text = "".join(topics[k] for k in sorted(topics))[:n_chars]
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    return ids, vocab, hashlib.sha256(text.encode()).hexdigest()[:12]


class CharGRU(nn.Module):
    """Embedding -> 1-layer GRU -> linear read-out over the vocabulary."""

    def __init__(self, vocab: int, emb: int = 16, hidden: int = 64) -> None:
        super().__init__()
        self.emb, self.gru, self.out = (
            nn.Embedding(vocab, emb),
            nn.GRU(emb, hidden, batch_first=True),
            nn.Linear(hidden, vocab),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` (batch, seq) ids -> logits (batch, seq, vocab)."""
        h, _ = self.gru(self.emb(x))
        return self.out(h)


def _batch(ids: torch.Tensor, starts: torch.Tensor, seq: int) -> tuple[torch.Tensor, torch.Tensor]:
    idx = starts[:, None] + torch.arange(seq + 1)[None, :]
    chunk = ids[idx]
    return chunk[:, :-1], chunk[:, 1:]


def train_char_gru(
    method: str,
    lr: float,
    ids: torch.Tensor,
    vocab: int,
    steps: int,
    seed: int,
    seq: int = 32,
    batch: int = 32,
    valid_frac: float = 0.1,
) -> dict:
    """Train a :class:`CharGRU` with ``method`` (see :func:`paperlab.namsg.bench.make_optimizer`).

    Returns ``{"train_bpc": [...] per step, "valid_bpc": float}`` in bits per character. The last
    ``valid_frac`` of the text is held out; the lr is divided by 4 at 50% and 75% of ``steps``.
    """
    if steps < 4:
        raise ValueError(f"steps must be >= 4, got {steps}")
    torch.manual_seed(seed)
    split = int(len(ids) * (1 - valid_frac))
    train_ids, valid_ids = ids[:split], ids[split:]
    model = CharGRU(vocab)
    opt = make_optimizer(method, model.parameters(), lr)
    gen = torch.Generator().manual_seed(20_000 + seed)
    to_bits = 1 / math.log(2)
    curve = []
    for t in range(steps):
        if t in (steps // 2, (3 * steps) // 4):
            for g in opt.param_groups:
                g["lr"] /= 4
        starts = torch.randint(0, len(train_ids) - seq - 1, (batch,), generator=gen)
        x, y = _batch(train_ids, starts, seq)
        loss = nn.functional.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        curve.append(float(loss.detach()) * to_bits)
    with torch.no_grad():
        n = (len(valid_ids) - 1) // seq
        x = valid_ids[: n * seq].reshape(n, seq)
        y = valid_ids[1 : n * seq + 1].reshape(n, seq)
        valid = float(nn.functional.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))) * to_bits
    return {"train_bpc": curve, "valid_bpc": valid}
