"""Weighted alpha-beta fit and held-out errors; sign-mean codec and memory; the LSTM LM pieces."""

import math

import numpy as np
import pytest
import torch

from paperlab.redsync.codec import SparseMessage, pack_sign_mean, sign_mean_quantize, unpack_sign_mean
from paperlab.redsync.cost import Network, fit_alpha_beta, heldout_errors
from paperlab.redsync.hook import RGCConfig
from paperlab.redsync.lm import LSTMLM, bigram_perplexity, char_corpus, perplexity, rank_starts, windows
from paperlab.redsync.memory import MomentumCorrectionMemory, ResidualMemory


def test_relative_weighting_matches_a_weighted_normal_equation_solve():
    rng = np.random.default_rng(1)
    sizes = np.geomspace(4096, 4 << 20, 9)
    times = (2e-4 + 1e-9 * sizes) * np.exp(0.2 * rng.standard_normal(9))
    net, resid = fit_alpha_beta(sizes, times, weighting="relative")
    w = 1 / times**2  # minimise sum w (t - a - b s)^2: solve the 2x2 normal equations by hand
    m = np.array([[w.sum(), (w * sizes).sum()], [(w * sizes).sum(), (w * sizes**2).sum()]])
    a, b = np.linalg.solve(m, [(w * times).sum(), (w * sizes * times).sum()])
    assert net.alpha == pytest.approx(a, rel=1e-9) and net.beta == pytest.approx(b, rel=1e-9)
    np.testing.assert_allclose(resid, times - (a + b * sizes), rtol=1e-9)


def test_relative_weighting_keeps_the_latency_that_plain_least_squares_loses():
    sizes = np.array([4096, 16384, 65536, 262144, 1 << 20, 4 << 20], dtype=float)
    times = 3e-4 + 1e-9 * sizes
    times[-1] *= 1.3  # one large outlier (cache effects above a few MB)
    rel, _ = fit_alpha_beta(sizes, times, weighting="relative")
    ols, _ = fit_alpha_beta(sizes, times, weighting="none")
    small = sizes[:3]
    err = lambda net: np.max(np.abs(net.alpha + net.beta * small - (3e-4 + 1e-9 * small)) / (3e-4 + 1e-9 * small))  # noqa: E731
    assert err(rel) < 0.05 < err(ols)


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="weighting"):
        fit_alpha_beta([1.0, 2.0], [1.0, 2.0], weighting="squared")
    with pytest.raises(ValueError, match="times_s"):
        fit_alpha_beta([1.0, 2.0], [1.0, 0.0])


def test_heldout_errors_by_hand():
    net = Network(alpha=1e-3, beta=1e-9)
    got = heldout_errors(net, [1e6, 3e6], [1e-3, 8e-3])  # predictions 2e-3 and 4e-3
    np.testing.assert_allclose(got["predicted"], [2e-3, 4e-3])
    np.testing.assert_allclose(got["rel_err"], [1.0, -0.5])
    assert got["worst_factor"] == pytest.approx(2.0)
    assert heldout_errors(Network(-1.0, 0.0), [1.0], [1.0])["worst_factor"] == math.inf
    with pytest.raises(ValueError, match="sizes_bytes"):
        heldout_errors(net, [1.0, 2.0], [1.0])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sign_mean_pack_round_trip(dtype):
    v = torch.tensor([0.5, -3.0, 1.5, -1.0, 2.5], dtype=dtype)
    q = sign_mean_quantize(SparseMessage(v, torch.arange(5) * 7, 40))
    assert q.indices.tolist() == [7, 21] and torch.all(q.values == -2.0)  # |mean| 2 > 1.5
    empty = SparseMessage(torch.zeros(0, dtype=dtype), torch.zeros(0, dtype=torch.int64), 9)
    buf = pack_sign_mean([q, empty])
    assert buf.dtype == torch.int32 and buf.numel() == 2 + 2 * (dtype.itemsize // 4) + 2
    back = unpack_sign_mean(buf, [40, 9], dtype)
    assert back[0].indices.tolist() == [7, 21] and back[0].values.tolist() == [-2.0, -2.0]
    assert back[1].values.numel() == 0
    with pytest.raises(ValueError, match="not sign-mean"):
        pack_sign_mean([SparseMessage(v, torch.arange(5), 5)])


@pytest.mark.parametrize("memory", [ResidualMemory(), MomentumCorrectionMemory(0.9)])
def test_quantised_send_keeps_the_error_in_the_residual(memory):
    g = torch.tensor([1.0, -4.0, 3.0, -2.0], dtype=torch.float64)
    acc = memory.compensate("w", g).clone()
    idx, sent = torch.tensor([1, 3]), torch.tensor([-3.0, -3.0], dtype=torch.float64)
    memory.subtract("w", idx, sent)
    sent_dense = torch.zeros(4, dtype=torch.float64).index_add_(0, idx, sent)
    assert torch.equal(memory.residual("w") + sent_dense, acc)  # sent + residual = accumulated
    if isinstance(memory, MomentumCorrectionMemory):
        assert memory.u["w"][idx].abs().sum() == 0


def test_quantize_option_is_validated():
    with pytest.raises(ValueError, match="quantize"):
        RGCConfig(quantize="sign")


def test_lstm_lm_shapes_and_validation():
    model = LSTMLM(11, 8, 16, 2)
    assert model(torch.zeros(3, 5, dtype=torch.int64)).shape == (3, 5, 11)
    with pytest.raises(ValueError, match="hidden"):
        LSTMLM(11, 8, 0)


def test_windows_and_rank_starts():
    ids = np.arange(100)
    x, y = windows(ids, np.array([0, 10]), 4)
    assert x.tolist() == [[0, 1, 2, 3], [10, 11, 12, 13]] and y.tolist() == [[1, 2, 3, 4], [11, 12, 13, 14]]
    s0, s1 = rank_starts(100, 4, 8, 0, 2, 3, 0), rank_starts(100, 4, 8, 1, 2, 3, 0)
    span = (100 - 5) // 2
    assert s0.max() < span <= s1.min() and s1.max() + 5 <= 100  # disjoint contiguous halves
    assert np.array_equal(s0, rank_starts(100, 4, 8, 0, 2, 3, 0))
    with pytest.raises(ValueError, match="too short"):
        rank_starts(20, 4, 16, 0, 2, 0, 0)


def test_a_uniform_model_has_perplexity_equal_to_the_vocabulary():
    model = LSTMLM(13, 4, 4)
    with torch.no_grad():
        model.decoder.weight.zero_()
        model.decoder.bias.zero_()
    assert perplexity(model, np.arange(200) % 13, 8, 5) == pytest.approx(13, rel=1e-6)


def test_bigram_perplexity_by_brute_force():
    train, val = np.array([0, 1, 0, 1, 1, 2]), np.array([0, 1, 2, 0])
    counts = np.full((3, 3), 0.1)
    for a, b in zip(train[:-1], train[1:], strict=True):
        counts[a, b] += 1
    p = counts / counts.sum(1, keepdims=True)
    want = math.exp(-np.mean([math.log(p[a, b]) for a, b in zip(val[:-1], val[1:], strict=True)]))
    assert bigram_perplexity(train, val, 3) == pytest.approx(want, rel=1e-12)


def test_char_corpus_split_and_validation():
    c = char_corpus(max_chars=5000)
    assert len(c["train"]) + len(c["val"]) == 5000 and len(c["train"]) == 4500
    assert c["train"].max() < len(c["vocab"]) and c["name"] in ("shakespeare", "pydoc")
    with pytest.raises(ValueError, match="max_chars"):
        char_corpus(max_chars=10)


def test_last_fifth_change_by_hand():
    from paperlab.redsync.gates import last_fifth_change

    # n = 11: j = 8; |c[10] - c[8]| / c[8]
    curve = [10.0] * 8 + [4.0, 3.9, 3.8]
    assert last_fifth_change(curve) == pytest.approx(5.0)
    assert last_fifth_change([2.0, 1.0]) == pytest.approx(50.0)  # j = 0
    assert math.isnan(last_fifth_change([1.0]))
    with pytest.raises(ValueError, match="finite"):
        last_fifth_change([1.0, float("nan")])
    with pytest.raises(ValueError, match="zero"):
        last_fifth_change([0.0, 1.0])
