import math

import numpy as np
import pytest
import torch

from paperlab.jtft.freq_init import accumulate_spectrum, dct_matrix, low_frequency_init, select_frequencies
from paperlab.jtft.generators import period_to_bin, spectral_factors
from paperlab.jtft.layers import (
    CIEncoder,
    CustomDCT,
    FlattenHead,
    LowRankChannelAttention,
    Patcher,
    RevIN,
    n_patches,
)


def dct2_by_fft(n: int) -> np.ndarray:
    """Orthonormal DCT-II matrix from the FFT of the even extension (independent of the cosine formula)."""
    rows = []
    for j in range(n):
        v = np.zeros(n)
        v[j] = 1.0
        ext = np.concatenate([v, v[::-1]])
        spec = np.fft.fft(ext)[:n]
        coef = np.real(spec * np.exp(-1j * np.pi * np.arange(n) / (2 * n))) / 2
        rows.append(coef)
    d = np.array(rows).T  # column j = DCT of unit vector j
    scale = np.full(n, math.sqrt(2.0 / n))
    scale[0] = math.sqrt(1.0 / n)
    return d * scale[:, None]


# RevIN -----------------------------------------------------------------------------------------------
def test_revin_matches_numpy_biased_variance():
    x = torch.randn(3, 20, 4, dtype=torch.float64) * 5 + 2
    xn, (mean, std) = RevIN().norm(x)
    a = x.numpy()
    np.testing.assert_allclose(mean.numpy()[:, 0], a.mean(axis=1), atol=1e-12)
    np.testing.assert_allclose(std.numpy()[:, 0], np.sqrt(a.var(axis=1) + 1e-5), atol=1e-12)
    np.testing.assert_allclose(
        xn.numpy(), (a - a.mean(1, keepdims=True)) / np.sqrt(a.var(1, keepdims=True) + 1e-5)
    )


def test_revin_round_trip_and_constant_channel():
    rev = RevIN()
    x = torch.randn(2, 30, 3, dtype=torch.float64)
    x[..., 1] = 7.0
    xn, stats = rev.norm(x)
    assert not torch.isnan(xn).any()
    torch.testing.assert_close(rev.denorm(xn, stats), x, atol=1e-6, rtol=0)


def test_revin_bad_eps():
    with pytest.raises(ValueError, match="eps"):
        RevIN(eps=0)


# Patcher ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "L,P,S", [(128, 4, 2), (512, 16, 8), (97, 8, 4), (33, 5, 3), (16, 16, 8), (11, 3, 1)]
)
def test_patcher_count_and_content(L, P, S):
    x = torch.randn(2, L, 3)
    z = Patcher(P, S)(x)
    n = (L - P) // S + 2
    assert z.shape == (2, 3, P, n) and n_patches(L, P, S) == n
    a = x.numpy().transpose(0, 2, 1)
    padded = np.concatenate([a, np.repeat(a[..., -1:], S, axis=-1)], axis=-1)
    for k in range(n):
        np.testing.assert_array_equal(z[..., k].numpy(), padded[..., k * S : k * S + P])


def test_patcher_bad_sizes():
    with pytest.raises(ValueError, match="patch_len"):
        Patcher(16, 8)(torch.randn(1, 10, 2))
    with pytest.raises(ValueError, match="stride"):
        Patcher(4, 0)
    with pytest.raises(ValueError, match="patch_len"):
        Patcher(4.5, 2)


# CustomDCT -------------------------------------------------------------------------------------------
def test_cdct_integer_bins_equal_dct2_rows():
    n = 64
    cdct = CustomDCT(n, n).double()
    b = cdct.basis().detach().numpy()
    ref = dct2_by_fft(n)
    np.testing.assert_allclose(b[1:], ref[1:], atol=1e-10)
    np.testing.assert_allclose(b[0] / ref[0], math.sqrt(2), atol=1e-10)
    np.testing.assert_allclose(dct_matrix(n).numpy(), ref, atol=1e-6)


def test_cdct_fractional_similarities():
    n = 64
    cdct = CustomDCT(1, n).double()
    cdct.set_frequencies(torch.tensor([3.5 / n]))
    row = cdct.basis()[0].detach().numpy()
    ref = dct2_by_fft(n)
    cos = [row @ ref[k] / np.linalg.norm(row) for k in (3, 4)]
    assert round(cos[0], 3) == 0.686 and round(cos[1], 3) == 0.594


def test_cdct_gradcheck_frequencies_and_decay():
    cdct = CustomDCT(3, 8, decay=True).double()
    z = torch.randn(2, 4, 8, dtype=torch.float64)
    f = torch.tensor([0.1, 0.37, 0.6], dtype=torch.float64, requires_grad=True)
    beta = torch.tensor([0.1, 0.0, 0.3], dtype=torch.float64, requires_grad=True)

    def fn(f, beta):
        return torch.func.functional_call(cdct, {"frequencies": f, "beta": beta}, (z,))

    assert torch.autograd.gradcheck(fn, (f, beta))
    phase = math.pi * f[:, None] * (torch.arange(8, dtype=torch.float64) + 0.5)
    ref = math.sqrt(2 / 8) * torch.cos(phase) * torch.exp(beta[:, None] * (phase - phase[:, -1:]))
    torch.testing.assert_close(fn(f, beta), z @ ref.T)


def test_cdct_frequencies_get_gradient_and_zero_beta_is_no_decay():
    plain, dec = CustomDCT(4, 16), CustomDCT(4, 16, decay=True)
    z = torch.randn(3, 5, 16)
    torch.testing.assert_close(plain(z), dec(z))
    plain(z).square().sum().backward()
    assert plain.frequencies.grad is not None and plain.frequencies.grad.abs().sum() > 0


def test_cdct_state_dict_has_buffers():
    assert "n_half" in CustomDCT(4, 16).state_dict()


def test_cdct_bad_inputs():
    with pytest.raises(ValueError, match="n_freq"):
        CustomDCT(0, 8)
    with pytest.raises(ValueError, match="f must"):
        CustomDCT(3, 8).set_frequencies(torch.zeros(2))
    with pytest.raises(ValueError, match="N=8"):
        CustomDCT(3, 8)(torch.randn(2, 4, 7))


# frequency initialisation ----------------------------------------------------------------------------
def _loader(x: np.ndarray, L: int, batch: int = 16):
    t = torch.as_tensor(x)
    windows = torch.stack([t[i : i + L] for i in range(0, len(t) - L, 7)])
    return [(windows[i : i + batch], None) for i in range(0, len(windows), batch)]


def test_freq_init_recovers_planted_bins():
    L, P, S = 512, 16, 8
    periods = (64.0, 256.0 / 3)  # bins 16 and 12 for N = 64
    x, truth = spectral_factors(6000, 3, periods, noise=0.05, seed=1)
    scores = accumulate_spectrum(_loader(x, L), Patcher(P, S), RevIN())
    f = select_frequencies(scores, 4, 64)
    chosen = set((f * 64).round().int().tolist())
    for p in truth["periods"]:
        k = period_to_bin(p, L, P, S)
        assert any(abs(c - k) <= 1 for c in chosen), (k, chosen)
    assert 0 in chosen


def test_cdct_init_from_loader_matches_the_procedure():
    x, _ = spectral_factors(3000, 2, (64.0,), noise=0.05, seed=4)
    loader = _loader(x, 512)
    cdct = CustomDCT(4, 64)
    f = cdct.init_from_loader(loader, Patcher(16, 8), RevIN(), max_batches=2)
    ref = select_frequencies(accumulate_spectrum(loader[:2], Patcher(16, 8), RevIN()), 4, 64)
    torch.testing.assert_close(f, ref)
    torch.testing.assert_close(cdct.frequencies.data, ref)
    assert 16 in (f * 64).round().int().tolist()


def test_select_frequencies_rules():
    scores = torch.tensor([0.0, 0.1, 0.5, 0.05, 0.3, 0.05])
    np.testing.assert_allclose(select_frequencies(scores, 3, 6).numpy(), np.array([0, 2, 4]) / 6)
    np.testing.assert_allclose(
        select_frequencies(scores, 3, 6, force_dc=False).numpy(), np.array([1, 2, 4]) / 6
    )
    np.testing.assert_allclose(select_frequencies(scores, 6, 6).numpy(), np.arange(6) / 6)
    np.testing.assert_allclose(low_frequency_init(3, 6).numpy(), np.arange(3) / 6)
    with pytest.raises(ValueError, match="scores"):
        select_frequencies(scores, 3, 7)


def test_accumulate_respects_max_batches():
    seen = []

    class Counting:
        def __iter__(self):
            for i in range(10):
                seen.append(i)
                yield torch.randn(4, 32, 2), None

    accumulate_spectrum(Counting(), Patcher(4, 2), RevIN(), max_batches=3)
    assert len(seen) == 4  # the 4th batch is fetched and discarded
    with pytest.raises(ValueError, match="max_batches"):
        accumulate_spectrum(Counting(), Patcher(4, 2), RevIN(), max_batches=0)


# encoder, LRA, head ----------------------------------------------------------------------------------
def test_ci_encoder_is_channel_independent():
    torch.manual_seed(0)
    enc = CIEncoder(8, 2, 16, 2).eval()
    h = torch.randn(2, 3, 5, 8)
    h2 = h.clone()
    h2[:, 1] += 1.0
    a, b = enc(h), enc(h2)
    torch.testing.assert_close(a[:, [0, 2]], b[:, [0, 2]])
    assert not torch.allclose(a[:, 1], b[:, 1])


@pytest.mark.parametrize("rank", [1, 2])
def test_lra_delta_has_rank_at_most_r(rank):
    torch.manual_seed(0)
    lra = LowRankChannelAttention(6, rank, 16, 4, 24).eval()
    dh, attn = lra.delta(torch.randn(1, 6, 5, 16))
    assert torch.linalg.matrix_rank(dh[0].double(), atol=1e-5) <= rank
    torch.testing.assert_close(attn.sum(-1), torch.ones_like(attn.sum(-1)))


def test_lra_router_independent_of_input_and_sizes():
    lra = LowRankChannelAttention(8, 1, 8, 2, 12)
    assert lra.router.shape == (1, 1, 2) and lra.heads == 1 and lra.d_k == 2
    assert lra.tau == pytest.approx(8**-0.5)
    assert LowRankChannelAttention(8, 1, 8, 2, 12, official_scale=False).tau == pytest.approx(2**-0.5)
    names = {n for n, _ in lra.named_parameters()}
    assert "router" in names and not any("w_q" in n for n in names)


def test_lra_rank_checks():
    with pytest.warns(UserWarning, match="rank"):
        out, _ = LowRankChannelAttention(2, 8, 8, 2, 12)(torch.randn(2, 2, 3, 8))
    assert out.shape == (2, 2, 3, 8)
    with pytest.raises(ValueError, match="rank"):
        LowRankChannelAttention(4, 0, 8, 2, 12)
    with pytest.raises(ValueError, match="c_in"):
        LowRankChannelAttention(4, 1, 8, 2, 12)(torch.randn(2, 3, 3, 8))


def test_flatten_head_matches_manual():
    head = FlattenHead(3, 4, 5)
    h = torch.randn(2, 6, 3, 4)
    ref = torch.nn.functional.gelu(h.reshape(2, 6, 12)) @ head.linear.weight.T + head.linear.bias
    torch.testing.assert_close(head(h), ref)
    with pytest.raises(ValueError, match="horizon"):
        FlattenHead(3, 4, 0)
