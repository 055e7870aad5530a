"""Gates machinery: convergence rule, the official drop_last subset, the model cache, the paper-budget step,
interleaved timing slopes."""

import numpy as np
import pytest
import torch

from paperlab.jtft import bench, cache, configs
from paperlab.jtft import experiments as ex
from paperlab.jtft.generators import lead_lag
from paperlab.jtft.model import JTFT, TREND_L2_OFFICIAL, JTFTConfig
from paperlab.jtft.train import History


def hist(val, stopped=False):
    return History(train_loss=[1.0] * len(val), val_loss=list(val), stopped_early=stopped)


def test_converged_rule():
    assert hist([1.0, 0.5], stopped=True).converged()
    # best before the last fifth 0.500, best overall 0.498: 0.4 % < 1 % -> converged
    assert hist([1.0, 0.8, 0.6, 0.55, 0.5, 0.5, 0.5, 0.5, 0.499, 0.498]).converged()
    # still falling 10 % over the last fifth -> not converged
    assert not hist([1.0, 0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.42, 0.40]).converged()
    assert not hist([1.0]).converged()  # one epoch cannot show convergence
    assert History().converged()  # nothing trained (naive)


def test_fit_marks_early_stopping():
    cfg = configs.for_budget("smoke")
    x, _ = lead_lag(1200, 3, rho=1.0, seed=0)
    cell = ex.small_cell("lead_lag", x, 12, cfg, "generator", e_layers_tfi=0)
    cell.epochs, cell.patience, cell.lr = 6, 1, 1e-9  # no progress: stops after patience
    run = ex.train_one("DLinear", cell, 0, "smoke", max_steps=1)
    assert run.history.stopped_early and run.epochs_run < 6 and run.converged


def test_official_scores_match_a_drop_last_loader():
    from torch.utils.data import DataLoader, TensorDataset

    rng = np.random.default_rng(0)
    y = rng.normal(size=(170, 4, 2)).astype(np.float32)
    yhat = y + rng.normal(size=y.shape).astype(np.float32)
    loader = DataLoader(TensorDataset(torch.as_tensor(yhat), torch.as_tensor(y)), batch_size=64, drop_last=True)
    errs = np.concatenate([(a - b).numpy() for a, b in loader]).astype(np.float64)
    got = ex.official_scores(yhat, y, 64)
    assert got["n_windows"] == 128 == len(errs)
    assert got["mse"] == pytest.approx(np.mean(errs**2)) and got["mae"] == pytest.approx(np.mean(np.abs(errs)))
    assert ex.official_scores(yhat[:10], y[:10], 64)["n_windows"] == 10  # batch shrinks to n
    with pytest.raises(ValueError, match="batch"):
        ex.official_scores(yhat, y, 0)


def test_cache_key_and_roundtrip(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLAB_ROOT", str(tmp_path))
    a = cache.key({"model": "JTFT", "seed": 0, "data": [np.zeros(3)]})
    assert a == cache.key({"seed": 0, "model": "JTFT", "data": [np.zeros(3)]})
    assert a != cache.key({"model": "JTFT", "seed": 1, "data": [np.zeros(3)]})
    assert a != cache.key({"model": "JTFT", "seed": 0, "data": [np.ones(3)]})
    assert cache.load(a) is None
    cache.store(a, {"x": torch.ones(2)})
    assert torch.equal(cache.load(a)["x"], torch.ones(2))
    assert cache.enabled("lab") and not cache.enabled("smoke")
    with pytest.raises(TypeError, match="spec"):
        cache.key([1])
    with pytest.raises(TypeError, match="key"):
        cache.key({"f": object()})


def test_train_one_reuses_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLAB_ROOT", str(tmp_path))
    monkeypatch.setattr(cache, "source_fingerprint", lambda: "fixed")
    cfg = configs.for_budget("smoke")
    x, _ = lead_lag(1200, 3, rho=1.0, seed=0)
    cell = ex.small_cell("lead_lag", x, 12, cfg, "generator")
    first = ex.train_one("DLinear", cell, 0, "lab", max_steps=2)
    second = ex.train_one("DLinear", cell, 0, "lab", max_steps=2)
    assert not first.cached and second.cached and second.mse == first.mse
    other_seed = ex.train_one("DLinear", cell, 1, "lab", max_steps=2)
    assert not other_seed.cached
    smoke = ex.train_one("DLinear", cell, 0, "smoke", max_steps=2)
    assert not smoke.cached  # smoke never reads lab entries


def test_gate_helpers():
    res = {"Naive": {"mse": [2.0], "converged": [True]}, "DLinear": {"mse": [1.0, 1.2], "converged": [True, False]}}
    assert ex.beats_naive(res) == {"DLinear": pytest.approx(0.55)}
    assert ex.all_converged(res) == pytest.approx(2 / 3)
    assert ex.all_converged(res, ("DLinear",)) == 0.5
    with pytest.raises(ValueError, match="Naive"):
        ex.beats_naive({"DLinear": {"mse": [1.0]}})


def test_exchange_script_has_the_official_trend_penalty():
    cfg = JTFTConfig.from_script("exchange")
    assert cfg.decomposition == 2 and cfg.trend_l2 == TREND_L2_OFFICIAL == 0.0005
    for dataset in configs.PUBLISHED:
        pub = configs.PUBLISHED[dataset]
        assert pub["dlinear_seq_len"] in (104, 336) and pub["naive_mse"] > 0


@pytest.mark.parametrize("dataset, horizon", [("national_illness", 60), ("exchange_rate", 720), ("etth1", 720)])
def test_paper_budget_configuration_takes_one_full_size_step(dataset, horizon):
    """The paper budget builds: the official config at its largest horizon, official batch, one Adam step."""
    assert (dataset, horizon) in configs.for_budget("paper").cells
    out = ex.paper_step(dataset, horizon)
    net = out["model"]
    assert out["batch"] == configs.TRAINING[dataset]["batch"] and out["seq_len"] == net.config.seq_len
    assert np.isfinite(out["loss"]) and out["seconds"] > 0 and out["params"] > 1000
    torch.manual_seed(0)
    fresh = JTFT(net.config)  # the same initialisation, before the step
    assert all(torch.equal(a, b) for a, b in zip(net.cdct.buffers(), fresh.cdct.buffers(), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(net.parameters(), fresh.parameters(), strict=True))
    with pytest.raises(ValueError, match="dataset"):
        ex.paper_step("weather", 96)


def test_interleaved_slopes_recover_a_quadratic_cost():
    import time

    class Quadratic(torch.nn.Module):  # forward takes 1e-7 * L^2 seconds: a known slope of 2
        def __init__(self, L):
            super().__init__()
            self.L, self.w = L, torch.nn.Parameter(torch.ones(1))

        def forward(self, x):
            time.sleep(1e-7 * self.L**2)
            return x.sum() * self.w

    out = bench.time_slopes_interleaved({"q": Quadratic}, {"q": [384, 768, 1536]}, 2, 1, repeats=3)
    assert len(out["q"]["slopes"]) == 3 and len(out["q"]["seconds"]) == 3 and out["q"]["L"] == [384, 768, 1536]
    assert 1.5 < np.median(out["q"]["slopes"]) < 2.3
    assert bench.time_slopes_interleaved({"q": Quadratic}, {"q": [96, 192]}, 2, 1, repeats=1)["q"]["slopes"] == []
    with pytest.raises(ValueError, match="repeats"):
        bench.time_slopes_interleaved({"q": Quadratic}, {"q": [96]}, 2, 1, repeats=0)


def test_for_model_gives_the_linear_models_their_own_recipe():
    cfg = configs.for_budget("lab")
    x, _ = lead_lag(1200, 3, rho=1.0, seed=0)
    synth = ex.small_cell("lead_lag", x, 12, cfg, "generator")
    assert ex.for_model(synth, "DLinear") is synth  # fallback cells keep one recipe
    real = ex.Cell("etth1", 96, synth.splits, synth.jtft, 1e-4, "onecycle", 128, 1.0, 0, 100, 1, "file", patience=10)
    lin = ex.for_model(real, "NLinear")
    assert (lin.lr, lin.schedule, lin.loss, lin.patience) == (5e-3, "constant", "mse", 3) and lin.batch == 128
    assert ex.for_model(real, "JTFT") is real and real.lr == 1e-4


def test_halving_schedule_halves_the_rate_every_epoch():
    cfg = configs.for_budget("smoke")
    x, _ = lead_lag(1200, 3, rho=1.0, seed=0)
    cell = ex.small_cell("lead_lag", x, 12, cfg, "generator")
    cell.schedule, cell.lr, cell.epochs, cell.patience = "halving", 0.01, 3, 10
    run = ex.train_one("DLinear", cell, 0, "smoke", max_steps=2)
    assert run.history.lrs == pytest.approx([0.01, 0.005, 0.0025])
    cell.schedule = "constant"
    assert ex.train_one("DLinear", cell, 0, "smoke", max_steps=2).history.lrs == pytest.approx([0.01] * 3)
    from paperlab.jtft.train import fit

    with pytest.raises(ValueError, match="schedule"):
        fit(run.net, None, None, epochs=1, lr=0.1, schedule="cosine")
