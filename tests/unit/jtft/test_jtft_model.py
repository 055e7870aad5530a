import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from paperlab.jtft import configs, explorers, paper_numbers
from paperlab.jtft.baselines import DLinear, Naive, NLinear, PatchTSTLite, VanillaTransformer
from paperlab.jtft.bench import analytic_flops, loglog_slope, saved_bytes, time_fwd_bwd
from paperlab.jtft.generators import lead_lag, level_shift, period_to_bin, spectral_factors
from paperlab.jtft.model import JTFT, SCRIPTS, JTFTConfig, count_parameters, moving_average
from paperlab.jtft.train import evaluate, fit, predict


def tiny(**kw):
    base = dict(
        c_in=3,
        seq_len=40,
        pred_len=7,
        patch_len=8,
        stride=4,
        n_freq=4,
        n_concat_td=3,
        d_model=8,
        n_heads=2,
        e_layers=1,
        d_ff=16,
        rank=1,
        dropout=0.0,
    )
    base.update(kw)
    return JTFTConfig(**base)


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_shapes_for_every_script(name):
    cfg = JTFTConfig.from_script(name, c_in=3, rank=1)
    x = torch.randn(2, cfg.seq_len, 3)
    assert JTFT(cfg).eval()(x).shape == (2, cfg.pred_len, 3)


@pytest.mark.parametrize("L", [41, 57, 99])
def test_shapes_odd_lengths(L):
    cfg = tiny(seq_len=L, pred_len=5)
    assert JTFT(cfg).eval()(torch.randn(3, L, 3)).shape == (3, 5, 3)


def test_token_count_independent_of_L():
    for L in (96, 512):
        m = JTFT(tiny(seq_len=L)).eval()
        u = m.tokens(torch.randn(2, L, 3))
        assert u.shape[2] == 4 + 3


def test_parameter_counts_ili_and_weather():
    assert count_parameters(JTFT(JTFTConfig.from_script("illness"))) == 11_469
    weather = count_parameters(JTFT(JTFTConfig.from_script("weather")))
    assert 0.80e6 < weather < 0.88e6


def test_channel_independence_without_lra_and_mixing_with_lra():
    torch.manual_seed(0)
    x = torch.randn(4, 40, 3)
    x2 = x.clone()
    x2[:, :, 1] = torch.randn(4, 40)
    ci = JTFT(tiny(e_layers_tfi=0)).eval()
    a, b = ci(x), ci(x2)
    torch.testing.assert_close(a[..., [0, 2]], b[..., [0, 2]])
    mixed = JTFT(tiny(e_layers_tfi=1)).eval()
    assert not torch.allclose(mixed(x)[..., 0], mixed(x2)[..., 0])


def test_revin_shift_and_scale_equivariance():
    torch.manual_seed(0)
    m = JTFT(tiny()).eval()
    x = torch.randn(2, 40, 3, dtype=torch.float64) * 100
    m = m.double()
    y = m(x)
    shift = torch.tensor([5.0, 0.0, -3.0], dtype=torch.float64)
    torch.testing.assert_close(m(x + shift), y + shift, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(m(2.5 * x), 2.5 * y, atol=1e-5, rtol=1e-5)


def test_bad_inputs():
    m = JTFT(tiny())
    x = torch.randn(2, 40, 3)
    x[0, 3, 1] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        m(x)
    with pytest.raises(ValueError, match=r"\[B, L, C\]"):
        m(torch.randn(40, 3))
    with pytest.raises(ValueError, match="c_in"):
        m(torch.randn(2, 40, 4))
    with pytest.raises(ValueError, match="patch_len"):
        tiny(seq_len=6)
    with pytest.raises(ValueError, match="pred_len"):
        tiny(pred_len=0)
    with pytest.raises(ValueError, match="rank"):
        tiny(rank=0)
    with pytest.raises(ValueError, match="name"):
        JTFTConfig.from_script("nope")


def test_init_frequencies_and_decomposition():
    torch.manual_seed(0)
    x, _ = spectral_factors(800, 3, (16.0,), seed=0)
    windows = torch.stack([torch.as_tensor(x[i : i + 40]) for i in range(0, 700, 5)])
    loader = [(windows[i : i + 32], None) for i in range(0, len(windows), 32)]
    m = JTFT(tiny(decomposition=2, trend_l2=0.1))
    f = m.init_frequencies(loader)
    assert f[0] == 0 and torch.equal(m.cdct.frequencies.data, f)
    assert m(windows[:2]).shape == (2, 7, 3) and m.penalty() > 0
    assert torch.equal(m.init_frequencies(loader, low_freq=True), torch.arange(4) / m.config.n_patches)


def test_moving_average_matches_numpy_replicate():
    x = torch.randn(1, 30, 2, dtype=torch.float64)
    k = 5
    a = x[0].numpy()
    padded = np.concatenate([np.repeat(a[:1], 2, 0), a, np.repeat(a[-1:], 2, 0)])
    ref = np.stack([np.convolve(padded[:, c], np.ones(k) / k, mode="valid") for c in range(2)], axis=1)
    np.testing.assert_allclose(moving_average(x, k)[0].numpy(), ref)


def test_baselines():
    x = torch.randn(2, 32, 3)
    torch.testing.assert_close(Naive(32, 5)(x), x[:, -1:].expand(-1, 5, -1))
    nl = NLinear(32, 5)
    with torch.no_grad():
        nl.linear.weight.zero_()
        nl.linear.bias.zero_()
    torch.testing.assert_close(nl(x), x[:, -1:].expand(-1, 5, -1))
    for m in (DLinear(32, 5), VanillaTransformer(3, 32, 5), PatchTSTLite(3, 32, 5, 8, 4, 8, 2, 1, 16)):
        assert m.eval()(x).shape == (2, 5, 3)
    with pytest.raises(ValueError, match="pred_len"):
        DLinear(32, 0)
    with pytest.raises(ValueError, match="L=32"):
        DLinear(32, 5)(torch.randn(2, 30, 3))


class _Windows(torch.utils.data.Dataset):
    def __init__(self, n):
        g = torch.Generator().manual_seed(0)
        self.x, self.y = torch.randn(n, 40, 3, generator=g), torch.randn(n, 7, 3, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def test_fit_evaluate_and_drop_last_rejected():
    torch.manual_seed(0)
    ds = _Windows(37)
    train = DataLoader(ds, batch_size=8, shuffle=False, drop_last=True)
    test = DataLoader(ds, batch_size=8)
    m = JTFT(tiny())
    hist = fit(m, train, test, epochs=2, lr=1e-3, budget="smoke")
    assert len(hist.val_loss) == 2 and len(hist.frequencies) == 3 and hist.best_epoch in (0, 1)
    res = evaluate(m, test)
    yhat, y = predict(m, test)
    assert res["n_windows"] == 37 and res["mse"] == pytest.approx(float(np.mean((yhat - y) ** 2)))
    with pytest.raises(ValueError, match="drop_last"):
        evaluate(m, train)
    with pytest.raises(ValueError, match="loss"):
        fit(m, train, test, epochs=1, lr=1e-3, loss="l1")
    assert fit(Naive(40, 7), train, test, epochs=1, lr=1e-3).best_epoch == 0


def test_generators_are_deterministic_and_planted():
    a, ta = spectral_factors(2048, 2, (32.0, 128.0), noise=0.01, seed=3)
    b, _ = spectral_factors(2048, 2, (32.0, 128.0), noise=0.01, seed=3)
    np.testing.assert_array_equal(a, b)
    power = np.abs(np.fft.rfft(a[:, 0] - a[:, 0].mean())) ** 2
    assert set(np.argsort(-power)[:2]) == {2048 // 32, 2048 // 128}
    assert period_to_bin(52, 128, 4, 2) == pytest.approx(4.923, abs=1e-3)
    assert period_to_bin(24, 512, 16, 8) == pytest.approx(42.67, abs=1e-2)


def test_lead_lag_cross_correlation():
    x, truth = lead_lag(6000, 3, (10, 20), rho=1.0, noise=0.05, seed=0)
    for c in (1, 2):
        lags = range(0, 40)
        cc = [np.corrcoef(x[: len(x) - k, 0], x[k:, c])[0, 1] for k in lags]
        assert int(np.argmax(cc)) == truth["tau"][c]
    x0, t0 = lead_lag(6000, 3, (10, 20), rho=0.0, seed=0)
    d0 = np.diff(x0, axis=0)
    assert abs(np.corrcoef(d0[: -t0["tau"][1], 0], d0[t0["tau"][1] :, 1])[0, 1]) < 0.1
    with pytest.raises(ValueError, match="rho"):
        lead_lag(100, 2, rho=1.5)


def test_level_shift_jumps_at_recorded_times():
    x, truth = level_shift(3000, 2, jump_rate=0.003, jump_scale=5.0, period=24.0, noise=0.0, seed=1)
    for c in range(2):
        sdiff = x[24:, c].astype(np.float64) - x[:-24, c]  # the seasonal difference removes the season
        moved = np.abs(sdiff) > 1e-4
        jumps = truth["jumps"][c]
        expected = np.array([any(t - 24 < j <= t for j in jumps) for t in range(24, 3000)])
        assert len(jumps) > 0 and np.array_equal(moved, expected)


def test_loglog_slope_and_flops():
    xs = np.array([96, 192, 384, 768])
    assert loglog_slope(xs, 3.0 * xs**1.7) == pytest.approx(1.7)
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1, 2], [0, 1])
    cfg = tiny(seq_len=96)
    f1, f2 = analytic_flops(cfg, 96), analytic_flops(cfg, 192)
    assert f2["encoder"] == f1["encoder"] and f2["cdct"] > f1["cdct"]


def test_bench_rows_and_saved_bytes():
    rows = time_fwd_bwd(lambda L: JTFT(tiny(seq_len=L)), [40, 80], 3, 2, repeats=1)
    assert [r["L"] for r in rows] == [40, 80] and all(r["seconds"] > 0 for r in rows)
    lin = torch.nn.Linear(4, 4)
    assert saved_bytes(lin, torch.randn(5, 4)) == 5 * 4 * 4  # the input is saved for the weight gradient


def test_configs_and_paper_numbers():
    for b in ("smoke", "lab", "paper"):
        cfg = configs.for_budget(b)
        assert cfg.seeds and cfg.cells
    assert len(configs.for_budget("lab").seeds) == 3
    p = paper_numbers.lookup("JTFT", "ILI", 24, "mse")
    assert p.value is None and "unverified" in p.text()
    assert "unverified" in paper_numbers.lookup("DLinear", "ILI", 24, "mse").text()


def test_explorer_logic():
    out = explorers.cdct_similarity(3.5, 64)
    assert out["row"].shape == (64,)
    assert round(out["similarity"][3], 3) == 0.686 and round(out["similarity"][4], 3) == 0.594
    assert explorers.cdct_similarity(5.0, 64)["similarity"][5] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="n_patches"):
        explorers.cdct_similarity(1.0, 0)
    x, _ = spectral_factors(3000, 2, (64.0,), seed=0)
    view = explorers.spectrum_view(x, 512, 16, 8, 4)
    assert view["scores"].shape == (64,) and 16 in view["bins"]


def test_forecast_window():
    x = np.arange(60, dtype=np.float32)[:, None].repeat(3, 1)
    out = explorers.forecast_window(Naive(40, 7), x, 5, 40, 7)
    np.testing.assert_array_equal(out["forecast"], np.full((7, 3), 44.0))
    np.testing.assert_array_equal(out["truth"][:, 0], np.arange(45, 52))
    with pytest.raises(ValueError, match="start"):
        explorers.forecast_window(Naive(40, 7), x, 20, 40, 7)
