import math
from collections import Counter

import numpy as np
import pytest

from paperlab.recyclegpt.ngram import fit_ngram, ngram_ce, ngram_nll, select_ngram

TEXT = np.array([0, 1, 2, 0, 1, 1, 2, 0, 2, 1, 0, 1, 2, 2, 0], dtype=np.int64)
V = 4  # id 3 never occurs: smoothing must still give it mass


def brute_force_ce(train, test, order, k, v):
    """Dictionary counts of tuples and an explicit loop over the test targets."""
    pairs, contexts = Counter(), Counter()
    for t in range(order - 1, len(train)):
        ctx = tuple(train[t - order + 1 : t])
        pairs[ctx, train[t]] += 1
        contexts[ctx] += 1
    nll = []
    for t in range(order - 1, len(test)):
        ctx = tuple(test[t - order + 1 : t])
        nll.append(-math.log((pairs[ctx, test[t]] + k) / (contexts[ctx] + k * v)))
    return sum(nll) / len(nll), nll


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [1.0, 0.1])
def test_matches_brute_force_counts(order, k):
    test = np.array([1, 2, 0, 3, 1, 0, 0, 2, 1], dtype=np.int64)
    model = fit_ngram(TEXT, order, V)
    want, want_nll = brute_force_ce(TEXT.tolist(), test.tolist(), order, k, V)
    assert ngram_ce(model, test, k) == pytest.approx(want, abs=1e-12)
    assert np.allclose(ngram_nll(model, test, k), want_nll, atol=1e-12)


def test_probabilities_sum_to_one_over_the_vocabulary():
    model = fit_ngram(TEXT, 3, V)
    for ctx in ([0, 1], [2, 2], [3, 3]):  # seen twice, seen once, never seen
        p = [math.exp(-ngram_nll(model, np.array(ctx + [x]), 0.5)[0]) for x in range(V)]
        assert sum(p) == pytest.approx(1.0, abs=1e-12)


def test_select_uses_only_the_training_split_and_refits():
    rng = np.random.default_rng(0)
    # a first-order Markov chain: the bigram (order 2) should win on the held-out tail
    trans = rng.dirichlet(np.full(V, 0.2), size=V)
    ids = [0]
    for _ in range(4000):
        ids.append(rng.choice(V, p=trans[ids[-1]]))
    ids = np.array(ids)
    sel = select_ngram(ids, V, orders=(1, 2), ks=(1.0,))
    assert sel["order"] == 2 and sel["k"] == 1.0 and len(sel["table"]) == 2
    assert sel["model"].counts.sum() == len(ids) - 1  # refitted on every training id
    cut = int(len(ids) * 0.9)
    held = min(r["holdout CE"] for r in sel["table"])
    assert held == pytest.approx(ngram_ce(fit_ngram(ids[:cut], 2, V), ids[cut:], 1.0))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: fit_ngram(TEXT, 0, V), "order"),
        (lambda: fit_ngram(TEXT, 9, V), "order"),
        (lambda: fit_ngram(TEXT, 2, 0), "vocab_size"),
        (lambda: fit_ngram(np.array([0, 5]), 2, V), "ids"),
        (lambda: fit_ngram(np.array([0]), 2, V), "ids"),
        (lambda: ngram_ce(fit_ngram(TEXT, 2, V), TEXT, 0.0), "k"),
        (lambda: select_ngram(TEXT, V, holdout=1.0), "holdout"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_type():
    with pytest.raises(TypeError, match="ids"):
        fit_ngram(np.array([0.5, 1.0]), 2, V)
