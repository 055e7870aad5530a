"""Character n-gram language models with add-k smoothing: the floor a trained TinyGPT must beat (gate G2).

p(x_t | x_{t-n+1..t-1}) = (c(context, x_t) + k) / (c(context) + k V), counts c taken on the training ids.
The order n and the pseudo-count k are chosen on a held-out tail of the *training* split
(:func:`select_ngram`), never on the validation split the transformer is scored on; the chosen model is
then refitted on the whole training split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ORDER = 8  # V^order must fit an int64 for V <= 128


@dataclass(frozen=True)
class NGram:
    """Counts of an order-``order`` model over ``vocab_size`` ids.

    Attributes:
        keys, counts: sorted codes of (context, next) pairs and how often each occurs.
        ctx_keys, ctx_counts: sorted context codes and how often each is followed by a token.
    """

    order: int
    vocab_size: int
    keys: np.ndarray
    counts: np.ndarray
    ctx_keys: np.ndarray
    ctx_counts: np.ndarray


def _ids(ids, name: str, vocab_size: int, min_len: int) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D array of integer token ids")
    if arr.size < min_len:
        raise ValueError(f"{name} must hold at least {min_len} ids for this order, got {arr.size}")
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name} holds ids outside [0, {vocab_size})")
    return arr.astype(np.int64)


def _context_codes(ids: np.ndarray, order: int, vocab_size: int) -> np.ndarray:
    """Code of the order-1 ids before each target x_t, t = order-1 .. len-1 (0 for a unigram)."""
    n = ids.size - order + 1
    code = np.zeros(n, dtype=np.int64)
    for j in range(order - 1):
        code = code * vocab_size + ids[j : j + n]
    return code


def fit_ngram(ids, order: int, vocab_size: int) -> NGram:
    """Count every (context of ``order``-1 ids, next id) pair in ``ids`` (1-D int array)."""
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be an int in [1, {MAX_ORDER}], got {order!r}")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or not 1 <= vocab_size <= 128:
        raise ValueError(f"vocab_size must be an int in [1, 128], got {vocab_size!r}")
    arr = _ids(ids, "ids", vocab_size, order)
    ctx = _context_codes(arr, order, vocab_size)
    keys, counts = np.unique(ctx * vocab_size + arr[order - 1 :], return_counts=True)
    ctx_keys, ctx_counts = np.unique(ctx, return_counts=True)
    return NGram(order, vocab_size, keys, counts, ctx_keys, ctx_counts)


def _lookup(table: np.ndarray, counts: np.ndarray, query: np.ndarray) -> np.ndarray:
    i = np.minimum(np.searchsorted(table, query), table.size - 1)
    return np.where(table[i] == query, counts[i], 0)


def ngram_nll(model: NGram, ids, k: float) -> np.ndarray:
    """-log p(x_t | context) in nats for every target of ``ids`` that has a full context (t >= order-1)."""
    if isinstance(k, bool) or not isinstance(k, int | float) or not k > 0:
        raise ValueError(f"k must be a number > 0, got {k!r}")
    v = model.vocab_size
    arr = _ids(ids, "ids", v, model.order)
    ctx = _context_codes(arr, model.order, v)
    pair = _lookup(model.keys, model.counts, ctx * v + arr[model.order - 1 :])
    total = _lookup(model.ctx_keys, model.ctx_counts, ctx)
    return -np.log((pair + k) / (total + k * v))


def ngram_ce(model: NGram, ids, k: float) -> float:
    """Mean cross-entropy (nats/char) of ``ids`` under the model with pseudo-count ``k``."""
    return float(ngram_nll(model, ids, k).mean())


def select_ngram(
    train_ids,
    vocab_size: int,
    orders: tuple[int, ...] = (1, 2, 3, 4, 5, 6),
    ks: tuple[float, ...] = (1.0, 0.1, 0.01),
    holdout: float = 0.1,
) -> dict:
    """Choose (order, k) by CE on the last ``holdout`` fraction of ``train_ids``; refit on all of them.

    Returns {"model": NGram refitted on train_ids, "order", "k", "table": [{"order", "k", "holdout CE"}]}.
    """
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must lie in (0, 1), got {holdout}")
    if not orders or not ks:
        raise ValueError("orders and ks must be non-empty")
    arr = _ids(train_ids, "train_ids", vocab_size, 2)
    cut = int(arr.size * (1 - holdout))
    fit, held = arr[:cut], arr[cut:]
    table = []
    for n in orders:
        counts = fit_ngram(fit, n, vocab_size)
        table += [{"order": n, "k": kk, "holdout CE": ngram_ce(counts, held, kk)} for kk in ks]
    best = min(table, key=lambda row: row["holdout CE"])
    return {"model": fit_ngram(arr, best["order"], vocab_size), "order": best["order"], "k": best["k"],
            "table": table}
