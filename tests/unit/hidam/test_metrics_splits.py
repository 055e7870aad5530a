import itertools

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score, roc_curve

from paperlab.hidam import metrics
from paperlab.hidam.splits import group_split, stratified_split


@pytest.fixture
def ys():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.25).astype(float)
    s = np.round(rng.normal(size=200) + y, 1)  # rounding creates ties
    return y, s


def test_auc_brute_force_and_sklearn(ys):
    y, s = ys
    pos, neg = s[y == 1], s[y == 0]
    brute = np.mean([1.0 if p > q else 0.5 if p == q else 0.0 for p, q in itertools.product(pos, neg)])
    assert metrics.roc_auc(y, s) == pytest.approx(brute)
    assert metrics.roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_ks_brute_force_and_sklearn(ys):
    y, s = ys
    brute = max(abs(np.mean(s[y == 1] >= t) - np.mean(s[y == 0] >= t)) for t in np.unique(s))
    assert metrics.ks_stat(y, s) == pytest.approx(brute)
    fpr, tpr, _ = roc_curve(y, s)
    assert metrics.ks_stat(y, s) == pytest.approx(np.max(tpr - fpr))


def test_pr_auc_and_f1(ys):
    y, s = ys
    assert metrics.pr_auc(y, s) == pytest.approx(average_precision_score(y, s))
    t = 0.5
    yhat = s >= t
    tp, fp, fn = np.sum(yhat & (y == 1)), np.sum(yhat & (y == 0)), np.sum(~yhat & (y == 1))
    assert metrics.f1_at_threshold(y, s, t) == pytest.approx(2 * tp / (2 * tp + fp + fn))
    micro, macro = metrics.micro_macro_f1(y, yhat)
    assert micro == pytest.approx(f1_score(y, yhat, average="micro"))
    assert macro == pytest.approx(f1_score(y, yhat, average="macro"))
    t_best = metrics.best_f1_threshold(y, s)
    assert (
        metrics.f1_at_threshold(y, s, t_best)
        >= max(metrics.f1_at_threshold(y, s, u) for u in np.unique(s)) - 1e-12
    )


@pytest.mark.parametrize(
    "y, s, name",
    [
        (np.zeros(5), np.arange(5.0), "y"),
        (np.array([0, 1.0]), np.arange(3.0), "same length"),
        (np.array([0, 1.0, 1]), np.array([0.1, np.nan, 2]), "score"),
    ],
)
def test_bad_inputs(y, s, name):
    for fn in (metrics.roc_auc, metrics.ks_stat, metrics.pr_auc):
        with pytest.raises(ValueError, match=name):
            fn(y, s)


def test_stratified_split_keeps_rate():
    y = (np.random.default_rng(1).random(5000) < 0.06).astype(int)
    sp = stratified_split(y, seed=3)
    assert sum(len(v) for v in sp.values()) == y.size
    assert len(np.intersect1d(sp["train"], sp["test"])) == 0
    for part in sp.values():
        assert abs(y[part].mean() - y.mean()) <= 0.01


def test_group_split_no_group_in_two_parts():
    rng = np.random.default_rng(0)
    group = np.repeat(np.arange(400), rng.integers(1, 8, 400))
    y = rng.random(group.size) < 0.1
    sp = group_split(group, y, seed=1)
    sets = [set(group[p]) for p in sp.values()]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert sum(len(p) for p in sp.values()) == group.size
    with pytest.raises(ValueError, match="fracs"):
        stratified_split(y, (0.5, 0.5, 0.5))
