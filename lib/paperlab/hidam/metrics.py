"""Credit-scoring metrics in numpy: AUC, KS, PR-AUC, F1 at a validation threshold, micro/macro F1.

(MSE in this series means micro and small enterprise; there is no mean squared error here.)
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def _check(y, score) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float).ravel()
    score = np.asarray(score, dtype=float).ravel()
    if y.size != score.size:
        raise ValueError(f"y and score must have the same length, got {y.size} and {score.size}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold only 0 and 1")
    if y.min() == y.max():
        raise ValueError("y must contain both classes (0 and 1)")
    if not np.isfinite(score).all():
        raise ValueError("score must be finite (no NaN or inf)")
    return y, score


def roc_auc(y, score) -> float:
    """P(score_pos > score_neg) + 0.5 P(tie), via the Mann-Whitney rank sum."""
    y, score = _check(y, score)
    ranks = rankdata(score)  # average ranks handle ties as 1/2
    n1 = y.sum()
    n0 = y.size - n1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def ks_stat(y, score) -> float:
    """Kolmogorov-Smirnov statistic max_t |TPR(t) - FPR(t)| over all thresholds."""
    y, score = _check(y, score)
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    last = np.r_[s[1:] != s[:-1], True]  # evaluate only after whole tie blocks
    tpr = np.cumsum(yy)[last] / yy.sum()
    fpr = np.cumsum(1 - yy)[last] / (1 - yy).sum()
    return float(np.max(np.abs(tpr - fpr)))


def pr_auc(y, score) -> float:
    """Average precision: sum_k (R_k - R_{k-1}) P_k over distinct thresholds (step-wise)."""
    y, score = _check(y, score)
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    last = np.r_[s[1:] != s[:-1], True]
    tp = np.cumsum(yy)[last]
    k = np.arange(1, y.size + 1)[last]
    precision, recall = tp / k, tp / yy.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def f1_at_threshold(y, score, t: float) -> float:
    """F1 of the positive class when predicting ``score >= t``."""
    y, score = _check(y, score)
    yhat = score >= t
    tp = float(np.sum(yhat & (y == 1)))
    fp = float(np.sum(yhat & (y == 0)))
    fn = float(np.sum(~yhat & (y == 1)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def best_f1_threshold(y_val, s_val) -> float:
    """The threshold among the validation scores that maximises validation F1."""
    y_val, s_val = _check(y_val, s_val)
    cands = np.unique(s_val)
    f1 = [f1_at_threshold(y_val, s_val, t) for t in cands]
    return float(cands[int(np.argmax(f1))])


def micro_macro_f1(y, yhat) -> tuple[float, float]:
    """(micro F1, macro F1) over the two classes; micro F1 equals accuracy for binary labels."""
    y = np.asarray(y).astype(int).ravel()
    yhat = np.asarray(yhat).astype(int).ravel()
    if y.size != yhat.size:
        raise ValueError(f"y and yhat must have the same length, got {y.size} and {yhat.size}")
    f1s = []
    for c in (0, 1):
        tp = np.sum((yhat == c) & (y == c))
        denom = np.sum(yhat == c) + np.sum(y == c)
        f1s.append(0.0 if denom == 0 else 2 * tp / denom)
    return float(np.mean(y == yhat)), float(np.mean(f1s))


def all_metrics(y, score, threshold: float) -> dict[str, float]:
    """AUC, KS, PR-AUC, F1 (at ``threshold``), micro-F1 and macro-F1."""
    micro, macro = micro_macro_f1(y, np.asarray(score) >= threshold)
    return {
        "auc": roc_auc(y, score),
        "ks": ks_stat(y, score),
        "pr_auc": pr_auc(y, score),
        "f1": f1_at_threshold(y, score, threshold),
        "micro_f1": micro,
        "macro_f1": macro,
    }
