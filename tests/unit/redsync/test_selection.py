"""Selectors against torch.topk (sets), ties, threshold invariants, degenerate inputs, bad arguments."""

import math

import pytest
import torch

from paperlab.redsync.bench import make_residual
from paperlab.redsync.selection import (
    ExactTopK,
    ReusedThreshold,
    SampledThreshold,
    ThresholdBinarySearch,
    TrimmedTopK,
    make_selector,
    num_selected,
)


def distinct(shape, seed=0):
    """A random permutation of arange with random signs: all magnitudes distinct."""
    g = torch.Generator().manual_seed(seed)
    n = math.prod(shape)
    mag = torch.randperm(n, generator=g).double() + 1
    sign = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0).double()
    return (mag * sign).reshape(shape)


def as_set(idx):
    return set(idx.tolist())


@pytest.mark.parametrize("shape", [(1000,), (20, 50), (2, 3, 4, 25)])
@pytest.mark.parametrize("sel", [ExactTopK(), TrimmedTopK(), TrimmedTopK(eps=0.05)])
def test_exact_selectors_equal_topk_set(shape, sel):
    x = distinct(shape, seed=len(shape))
    n = x.numel()
    for k in sorted({1, 7, math.ceil(0.001 * n), n - 1, n}):
        expected = as_set(torch.topk(x.abs().flatten(), k).indices)
        got = sel.select(x, k)
        assert got.numel() == k and as_set(got) == expected


@pytest.mark.parametrize("dist", ["normal", "student_t2"])
def test_trimmed_topk_on_real_valued_data(dist):
    x = make_residual(200_000, dist, seed=3)
    for k in (1, 7, 200):
        assert as_set(TrimmedTopK().select(x, k)) == as_set(torch.topk(x.abs(), k).indices)


def test_ties_give_a_valid_topk():
    x = torch.tensor([3.0, -3.0, 3.0, 1.0, -1.0, 0.0, 3.0, 2.0])
    for sel in (ExactTopK(), TrimmedTopK()):
        for k in range(1, 9):
            idx = sel.select(x, k)
            chosen = torch.zeros(8, dtype=torch.bool)
            chosen[idx] = True
            assert idx.numel() == k and len(set(idx.tolist())) == k
            if k < 8:
                assert x.abs()[chosen].min() >= x.abs()[~chosen].max()


@pytest.mark.parametrize("dist", ["normal", "student_t2"])
@pytest.mark.parametrize("window", [(1.0, 2.0), (1.0, 1.1)])
def test_binary_search_superset_window_and_separation(dist, window):
    x = make_residual(100_000, dist, seed=1)
    a = x.abs()
    for k in (10, 100, 1000):
        sel = ThresholdBinarySearch(window=window)
        idx = sel.select(x, k)
        assert as_set(torch.topk(a, k).indices) <= as_set(idx)
        assert k * window[0] <= idx.numel() <= k * window[1] or idx.numel() == k
        chosen = torch.zeros_like(a, dtype=torch.bool)
        chosen[idx] = True
        assert a[chosen].min() > a[~chosen].max()


def test_binary_search_falls_back_when_mean_is_too_high():
    x = torch.ones(100)
    x[0] = 1000.0  # #{a > mean} = 1 < k
    idx = ThresholdBinarySearch().select(x, 5)
    assert idx.numel() == 5 and 0 in as_set(idx)


@pytest.mark.parametrize("value", [0.0, 2.5])
@pytest.mark.parametrize(
    "sel", [ExactTopK(), TrimmedTopK(), ThresholdBinarySearch(), SampledThreshold(), ReusedThreshold()]
)
def test_degenerate_inputs_return_k_indices(sel, value):
    x = torch.full((1000,), value)
    idx = sel.select(x, 10)
    assert idx.numel() == 10 and len(set(idx.tolist())) == 10


def test_reused_threshold_recomputes_every_n_calls_and_guards():
    x = make_residual(50_000, "normal", seed=2)
    sel = ReusedThreshold(every=5)
    for _ in range(12):
        idx = sel.select(x, 50, key="w")
    assert sel.inner_calls == 3  # calls 1, 6, 11
    assert as_set(torch.topk(x.abs(), 50).indices) <= as_set(idx)
    sel.select(x * 100, 50, key="w")  # the reused tau now selects far more than 4k
    assert sel.guard_hits == 1 and sel.inner_calls == 4
    other = ReusedThreshold(every=5)
    other.select(x, 50, key="a")
    other.select(x, 50, key="b")
    assert other.inner_calls == 2  # one cache per layer key


def test_sampled_threshold_deterministic_and_within_bounds():
    x = make_residual(200_000, "normal", seed=4)
    a, b = SampledThreshold(seed=7), SampledThreshold(seed=7)
    for k in (20, 200, 2000):
        ia, ib = a.select(x, k), b.select(x, k)
        assert torch.equal(ia, ib)
        assert 0.8 * k <= ia.numel() <= 1.3 * k or ia.numel() == k


def test_num_selected():
    assert num_selected(10, 1e-3) == 1
    assert num_selected(1000, 1e-3) == 1
    assert num_selected(1001, 1e-3) == 2
    assert num_selected(77, 1.0) == 77


@pytest.mark.parametrize(
    "bad", [0, 0.0, -0.1, 1.5, float("nan"), float("inf"), -float("inf"), "0.1", None, True]
)
def test_invalid_density(bad):
    with pytest.raises(ValueError, match="density"):
        num_selected(100, bad)


@pytest.mark.parametrize(
    ("factory", "arg"),
    [
        (lambda: TrimmedTopK(eps=0.0), "eps"),
        (lambda: TrimmedTopK(eps=1.0), "eps"),
        (lambda: ThresholdBinarySearch(eps=1.5), "eps"),
        (lambda: ThresholdBinarySearch(window=(2.0, 1.0)), "window"),
        (lambda: ThresholdBinarySearch(window=(0.5, 2.0)), "window"),
        (lambda: ReusedThreshold(every=0), "every"),
        (lambda: SampledThreshold(sample_ratio=0.0), "sample_ratio"),
        (lambda: SampledThreshold(sample_ratio=1.5), "sample_ratio"),
        (lambda: make_selector("radix"), "selector"),
    ],
)
def test_invalid_selector_arguments(factory, arg):
    with pytest.raises(ValueError, match=arg):
        factory()


@pytest.mark.parametrize("sel", [ExactTopK(), TrimmedTopK(), ThresholdBinarySearch(), SampledThreshold()])
def test_invalid_k(sel):
    x = torch.randn(10)
    for k in (0, 11, 2.0):
        with pytest.raises(ValueError, match="k must"):
            sel.select(x, k)
    with pytest.raises(TypeError, match="x must"):
        sel.select(torch.arange(10), 2)
