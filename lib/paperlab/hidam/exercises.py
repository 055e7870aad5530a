"""Autograded exercises of the HIDAM series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np

from paperlab.core.exercises import register
from paperlab.hidam import metrics


def segment_softmax_reference(scores: np.ndarray, index: np.ndarray, num_segments: int) -> np.ndarray:
    """softmax of ``scores`` [I] within groups given by ``index`` [I] (values in [0, num_segments))."""
    out = np.empty_like(scores, dtype=float)
    for g in range(num_segments):
        m = index == g
        if m.any():
            e = np.exp(scores[m] - scores[m].max())
            out[m] = e / e.sum()
    return out


def content_attention_reference(items: np.ndarray, W: np.ndarray, b: np.ndarray, q: np.ndarray) -> np.ndarray:
    """c_p = sum_k alpha_k s_k with alpha = softmax_k(q^T tanh(W s_k + b)); items [I, L, d] -> [I, d]."""
    u = np.tanh(items @ W.T + b)
    s = u @ q
    a = np.exp(s - s.max(1, keepdims=True))
    a /= a.sum(1, keepdims=True)
    return (a[..., None] * items).sum(1)


def metapath_adjacency_reference(a_cp: np.ndarray) -> np.ndarray:
    """Companies sharing a person: counts of C-P-C paths ``A_CP A_CP^T`` with the diagonal set to 0."""
    m = a_cp @ a_cp.T
    np.fill_diagonal(m, 0)
    return m


def _seg_cases(rng):
    out = []
    for n, g in ((6, 2), (20, 5), (50, 8)):
        out.append(((rng.normal(size=n) * 3, np.sort(rng.integers(0, g, n)), g), {}))
    return out


register(
    "hidam.segment_softmax",
    reference=segment_softmax_reference,
    cases=_seg_cases,
    hint="for each group g take the scores with index == g, subtract their max, exponentiate, divide by their sum",
)
register(
    "hidam.content_attention",
    reference=content_attention_reference,
    cases=lambda rng: [
        ((rng.normal(size=(i, L, d)), rng.normal(size=(d, d)), rng.normal(size=d), rng.normal(size=d)), {})
        for i, L, d in ((3, 3, 4), (5, 5, 8))
    ],
    hint="u = tanh(items @ W.T + b); scores = u @ q (shape [I, L]); softmax over L; weight the items and sum over L",
)
register(
    "hidam.ks_stat",
    reference=metrics.ks_stat,
    cases=lambda rng: [
        ((y, rng.normal(size=y.size) + y), {})
        for y in (np.r_[np.zeros(30), np.ones(10)], (rng.random(80) < 0.3).astype(float))
    ],
    hint="sort by score, descending; KS = max |cumulative TPR - cumulative FPR| (evaluate after tie blocks)",
)
register(
    "hidam.metapath_adjacency",
    reference=metapath_adjacency_reference,
    cases=lambda rng: [(((rng.random((n, p)) < 0.3).astype(float),), {}) for n, p in ((5, 3), (12, 6))],
    hint="C-P-C = A_CP @ A_CP.T; a company is not its own neighbour, so zero the diagonal",
)
