"""The experiment protocol shared by notebooks 03 and 04: one forecasting cell = one dataset, one
horizon, the same look-back for every model, train-only scaling, early stopping on validation,
evaluation on every test window, several seeds."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from torch import nn

from paperlab.core.seed import seed_everything
from paperlab.data import timeseries as ts
from paperlab.jtft import cache, configs
from paperlab.jtft.baselines import DLinear, Naive, NLinear, PatchTSTLite, VanillaTransformer
from paperlab.jtft.model import JTFT, JTFTConfig
from paperlab.jtft.train import History, evaluate, fit, predict

PRETTY = {
    "national_illness": "ILI",
    "exchange_rate": "Exchange",
    "etth1": "ETTh1",
    "etth2": "ETTh2",
    "vic_elec": "vic_elec",
    "epf_fr_be": "EPF_FR_BE",
    "lead_lag": "lead_lag",
}


@dataclass
class Cell:
    """One (dataset, horizon) cell with its data, loaders' settings and the JTFT config."""

    dataset: str
    horizon: int
    splits: ts.Splits
    jtft: JTFTConfig
    lr: float
    schedule: str
    batch: int
    delta: float
    min_epochs: int
    epochs: int
    train_stride: int
    source: str
    fallback: bool = False
    patience: int = 10
    loss: str = "huber"

    @property
    def name(self) -> str:
        return f"{PRETTY.get(self.dataset, self.dataset)}-{self.horizon}"

    @property
    def seq_len(self) -> int:
        return self.jtft.seq_len


def real_cell(dataset: str, horizon: int, series: ts.Series, cfg: configs.JTFTBudget) -> Cell:
    """A cell at the official per-dataset configuration (epochs, patience and stride from ``cfg``)."""
    tr = configs.TRAINING[dataset]
    jcfg = JTFTConfig.from_script(tr["script"], pred_len=horizon, c_in=series.n_channels)
    splits = ts.split_series(series.values, ts.default_scheme(dataset), jcfg.seq_len)
    return Cell(
        dataset,
        horizon,
        splits,
        jcfg,
        tr["lr"],
        tr["schedule"],
        tr["batch"],
        tr["delta"],
        min(tr["min_epochs"], cfg.epochs[dataset]),
        cfg.epochs[dataset],
        cfg.train_stride[dataset],
        series.source,
        patience=min(tr["patience"], cfg.patience),
    )


LINEAR = ("DLinear", "NLinear")


def for_model(cell: Cell, model: str) -> Cell:
    """``cell`` with ``model``'s training recipe: DLinear and NLinear on a real cell use
    ``configs.LINEAR_TRAINING`` (constant rate, MSE loss, patience 3, no min_epochs); every other model and
    every fallback cell keep the JTFT script's settings."""
    if model not in LINEAR or cell.fallback or cell.dataset not in configs.LINEAR_TRAINING:
        return cell
    t = configs.LINEAR_TRAINING[cell.dataset]
    return replace(cell, lr=t["lr"], schedule="constant", loss="mse", patience=t["patience"], min_epochs=0)


def dlinear_gate_cell(dataset: str, series: ts.Series, cfg: configs.JTFTBudget) -> Cell:
    """DLinear at its published configuration (``configs.PUBLISHED``: look-back, batch, lr, MSE loss,
    LTSF-Linear's patience 3 and its halving learning rate) for the base-learner gate; every other model uses
    the JTFT cell's L."""
    pub = configs.PUBLISHED[dataset]
    tr = configs.TRAINING[dataset]
    jcfg = JTFTConfig.from_script(
        tr["script"], pred_len=pub["horizon"], c_in=series.n_channels, seq_len=pub["dlinear_seq_len"]
    )
    splits = ts.split_series(series.values, ts.default_scheme(dataset), jcfg.seq_len)
    return Cell(
        dataset,
        pub["horizon"],
        splits,
        jcfg,
        pub["dlinear_lr"],
        "halving",
        pub["dlinear_batch"],
        1.0,
        0,
        cfg.dlinear_epochs,
        1,
        series.source,
        patience=3,
        loss="mse",
    )


def small_cell(
    dataset: str, values: np.ndarray, horizon: int, cfg: configs.JTFTBudget, source: str, **overrides
) -> Cell:
    """A cell on packaged or synthetic data with the small paperlab config (ratio split)."""
    kw = dict(configs.SMALL_MODEL) | overrides
    jcfg = JTFTConfig(c_in=values.shape[1], pred_len=horizon, **kw)
    splits = ts.split_series(values, "ratio", jcfg.seq_len)
    t = configs.SMALL_TRAINING
    return Cell(
        dataset,
        horizon,
        splits,
        jcfg,
        t["lr"],
        t["schedule"],
        t["batch"],
        t["delta"],
        0,
        cfg.synth_epochs,
        cfg.synth_stride,
        source,
        fallback=True,
        patience=cfg.synth_patience,
    )


def build(model: str, cell: Cell) -> nn.Module:
    """A fresh model of kind ``model`` for ``cell`` (same L and horizon for every model)."""
    j = cell.jtft
    if model == "JTFT":
        return JTFT(j)
    if model == "PatchTST-lite":  # same L, P/S, width and depth as JTFT; every patch is a token; no LRA
        return PatchTSTLite(
            j.c_in,
            j.seq_len,
            j.pred_len,
            j.patch_len,
            j.stride,
            j.d_model,
            j.n_heads,
            j.e_layers,
            j.d_ff,
            j.dropout,
            j.head_dropout,
        )
    if model == "DLinear":
        return DLinear(j.seq_len, j.pred_len)
    if model == "NLinear":
        return NLinear(j.seq_len, j.pred_len)
    if model == "Naive":
        return Naive(j.seq_len, j.pred_len)
    if model == "Transformer":
        return VanillaTransformer(j.c_in, j.seq_len, j.pred_len, d_model=16, n_heads=2, n_layers=2, d_ff=32)
    if model == "Transformer (no RevIN)":
        return VanillaTransformer(
            j.c_in, j.seq_len, j.pred_len, d_model=16, n_heads=2, n_layers=2, d_ff=32, revin=False
        )
    raise ValueError(
        f"model must be one of JTFT, PatchTST-lite, DLinear, NLinear, Naive, Transformer; got {model!r}"
    )


@dataclass
class Run:
    model: str
    seed: int
    mse: float
    mae: float
    n_windows: int
    epochs_run: int
    history: History = field(repr=False)
    net: nn.Module = field(repr=False)
    mse_official: float = float("nan")  # official drop_last test loader (batch configs.OFFICIAL_EVAL_BATCH)
    mae_official: float = float("nan")
    seconds: float = 0.0  # training wall time (0 when loaded from the cache)
    cached: bool = False

    @property
    def converged(self) -> bool:
        return self.history.converged()


def official_scores(yhat: np.ndarray, y: np.ndarray, batch: int) -> dict[str, float]:
    """MSE/MAE on the windows an official test loader keeps (``shuffle=False, drop_last=True``, batch
    ``batch``: the first ``(n // batch) * batch`` windows in time order; all if n < batch, as the official
    loader then shrinks its batch to n)."""
    if batch <= 0:
        raise ValueError(f"batch must be positive, got {batch}")
    n = len(y)
    kept = n if n < batch else (n // batch) * batch
    err = yhat[:kept].astype(np.float64) - y[:kept]
    return {"mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err))), "n_windows": kept}


def _cache_spec(model_name: str, cell: Cell, seed: int, budget: str, **kw) -> dict:
    return {
        "model": model_name,
        "dataset": cell.dataset,
        "horizon": cell.horizon,
        "jtft": asdict(cell.jtft),
        "train": [cell.lr, cell.schedule, cell.batch, cell.delta, cell.min_epochs, cell.epochs],
        "stride": cell.train_stride,
        "patience": cell.patience,
        "seed": seed,
        "budget": budget,
        "data": [cell.splits.train, cell.splits.val],
        **kw,
    }


def train_one(
    model_name: str,
    cell: Cell,
    seed: int,
    budget: str,
    max_steps: int | None = None,
    freq_batches: int | None = None,
    loss: str | None = None,
    init: str = "data",
    net: nn.Module | None = None,
) -> Run:
    """Seed, build, (JTFT: initialise f from the training loader), train with early stopping, test.

    At the lab and paper budgets a model trained before under the same configuration, seed, data and
    library source is loaded from ``build/cache/jtft`` instead (:mod:`paperlab.jtft.cache`); the test
    scores are always recomputed."""
    loss = cell.loss if loss is None else loss
    seed_everything(seed)
    loaders = ts.make_loaders(
        cell.splits,
        cell.seq_len,
        cell.horizon,
        cell.batch,
        train_stride=cell.train_stride,
        eval_batch_size=256,
        seed=seed,
    )
    use_cache = cache.enabled(budget) and net is None
    k = (
        cache.key(_cache_spec(model_name, cell, seed, budget, max_steps=max_steps, freq=freq_batches,
                              loss=loss, init=init))
        if use_cache
        else None
    )
    entry = cache.load(k) if use_cache else None
    net = build(model_name, cell) if net is None else net
    seconds = 0.0
    if entry is not None:
        net.load_state_dict(entry["state"])
        net.eval()
        hist = entry["history"]
    else:
        t0 = time.perf_counter()
        if isinstance(net, JTFT) and init != "none":
            net.init_frequencies(loaders.train, max_batches=freq_batches, low_freq=init == "low")
        hist = fit(
            net,
            loaders.train,
            loaders.val,
            epochs=cell.epochs,
            lr=cell.lr,
            loss=loss,
            delta=cell.delta,
            patience=cell.patience,
            min_epochs=cell.min_epochs,
            schedule=cell.schedule,
            max_steps_per_epoch=max_steps,
            budget=budget,
            desc=f"{model_name} {cell.name} seed {seed}",
        )
        seconds = time.perf_counter() - t0
        if use_cache:
            cache.store(k, {"state": net.state_dict(), "history": hist})
    res = evaluate(net, loaders.test)
    yhat, y = predict(net, loaders.test)
    off = official_scores(yhat, y, configs.OFFICIAL_EVAL_BATCH)
    return Run(model_name, seed, res["mse"], res["mae"], res["n_windows"], len(hist.val_loss), hist, net,
               off["mse"], off["mae"], seconds, entry is not None)


def test_predictions(run: Run, cell: Cell) -> tuple[np.ndarray, np.ndarray]:
    """``(yhat, y)`` over every test window, in time order."""
    loaders = ts.make_loaders(cell.splits, cell.seq_len, cell.horizon, cell.batch, eval_batch_size=256)
    return predict(run.net, loaders.test)


def summarise(runs: list[Run]) -> dict[str, dict[str, list[float]]]:
    """``{model: {"mse": [...], "mae": [...], "mse_official": [...], "mae_official": [...],
    "converged": [...], "epochs": [...]}}`` over seeds (all windows, then the official drop_last subset)."""
    out: dict[str, dict[str, list[float]]] = {}
    for r in runs:
        d = out.setdefault(
            r.model, {"mse": [], "mae": [], "mse_official": [], "mae_official": [], "converged": [], "epochs": []}
        )
        d["mse"].append(r.mse)
        d["mae"].append(r.mae)
        d["mse_official"].append(r.mse_official)
        d["mae_official"].append(r.mae_official)
        d["converged"].append(bool(r.converged))
        d["epochs"].append(r.epochs_run)
    return out


def all_converged(results: dict[str, dict[str, list]], models: tuple[str, ...] | None = None) -> float:
    """Fraction of trained runs (over ``models``, default all) whose training converged."""
    flags = [c for m, res in results.items() if models is None or m in models for c in res["converged"]]
    if not flags:
        raise ValueError("results hold no runs")
    return float(np.mean(flags))


def beats_naive(results: dict[str, dict[str, list]], key: str = "mse") -> dict[str, float]:
    """Mean ``key`` of every learned model divided by the naive forecast's (< 1: beats naive)."""
    if "Naive" not in results:
        raise ValueError("results must contain the Naive model")
    naive = float(np.mean(results["Naive"][key]))
    return {m: float(np.mean(r[key]) / naive) for m, r in results.items() if m != "Naive"}


def c1_verdict_value(
    cells: dict[str, dict[str, dict[str, list[float]]]],
    contenders: tuple[str, ...] = ("JTFT", "PatchTST-lite", "DLinear", "NLinear"),
) -> dict:
    """Per cell: is JTFT's mean MSE lowest among ``contenders``, and if not, within one std of the best?"""
    wins, near = 0, 0
    detail = {}
    for name, res in cells.items():
        means = {m: float(np.mean(res[m]["mse"])) for m in contenders if m in res}
        best = min(means, key=means.get)
        std = float(np.std(res["JTFT"]["mse"]))
        win = best == "JTFT"
        close = win or means["JTFT"] - means[best] <= std
        wins += win
        near += close
        detail[name] = {"best": best, "jtft_is_best": win, "within_1_std": close}
    n = len(cells)
    return {"fraction_best": wins / n, "all_but_one_close": wins >= n - 1 and near == n, "detail": detail}


def paper_step(dataset: str, horizon: int, seed: int = 0) -> dict:
    """One optimisation step of JTFT at the paper-budget configuration of ``(dataset, horizon)``: the
    official script config (L, sizes), the official batch, Adam at the official lr, Huber loss plus the
    trend penalty, on random inputs of full size. Returns the step's wall time in seconds, the parameter
    count, the batch, the loss and the model (for tests)."""
    if dataset not in configs.TRAINING:
        raise ValueError(f"dataset must be one of {', '.join(configs.TRAINING)}, got {dataset!r}")
    tr = configs.TRAINING[dataset]
    jcfg = JTFTConfig.from_script(tr["script"], pred_len=horizon)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = JTFT(jcfg).train()
    x = torch.randn(tr["batch"], jcfg.seq_len, jcfg.c_in, generator=gen)
    y = torch.randn(tr["batch"], horizon, jcfg.c_in, generator=gen)
    opt = torch.optim.Adam(net.parameters(), lr=tr["lr"])
    crit = nn.HuberLoss(delta=tr["delta"])
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = crit(net(x), y) + net.penalty()
    loss.backward()
    opt.step()
    seconds = time.perf_counter() - t0
    n_params = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return {"seconds": seconds, "params": n_params, "batch": tr["batch"], "seq_len": jcfg.seq_len,
            "loss": float(loss.detach()), "model": net}


def naive_reference(values: np.ndarray, scheme: str, seq_len: int, horizon: int) -> dict[str, float]:
    """Test MSE/MAE of the last-value forecast computed from scratch with numpy, independently of the
    loaders: borders as in the official ``Dataset_ETT_hour`` / ``Dataset_Custom`` (brief section 4.3),
    mean and biased std of the training rows, every test window. Used to check the data pipeline."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise ValueError(f"values must be [T, C], got shape {v.shape}")
    n = len(v)
    if scheme == "ett_hour":
        train_end, test_lo, test_hi = 12 * 720, 16 * 720 - seq_len, 20 * 720
    elif scheme == "ratio":
        train_end, n_test = int(0.7 * n), int(0.2 * n)
        test_lo, test_hi = n - n_test - seq_len, n
    else:
        raise ValueError(f"scheme must be 'ett_hour' or 'ratio', got {scheme!r}")
    mu, sd = v[:train_end].mean(axis=0), v[:train_end].std(axis=0)
    z = (v[test_lo:test_hi] - mu) / np.where(sd > 0, sd, 1.0)
    n_win = len(z) - seq_len - horizon + 1
    if n_win <= 0:
        raise ValueError(f"the test split has no window of seq_len={seq_len} + pred_len={horizon}")
    starts = np.arange(n_win)
    last = z[starts + seq_len - 1][:, None, :]
    target = z[starts[:, None] + seq_len + np.arange(horizon)[None, :]]
    err = target - last
    return {"mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err))), "n_windows": int(n_win)}
