"""The experiment protocol shared by notebooks 03 and 04: one forecasting cell = one dataset, one
horizon, the same look-back for every model, train-only scaling, early stopping on validation,
evaluation on every test window, several seeds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from torch import nn

from paperlab.core.seed import seed_everything
from paperlab.data import timeseries as ts
from paperlab.jtft import configs
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

    @property
    def name(self) -> str:
        return f"{PRETTY.get(self.dataset, self.dataset)}-{self.horizon}"


def real_cell(dataset: str, horizon: int, series: ts.Series, cfg: configs.JTFTBudget) -> Cell:
    """A cell at the official per-dataset configuration."""
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


def train_one(
    model_name: str,
    cell: Cell,
    seed: int,
    budget: str,
    max_steps: int | None = None,
    freq_batches: int | None = None,
    loss: str = "huber",
    init: str = "data",
    net: nn.Module | None = None,
) -> Run:
    """Seed, build, (JTFT: initialise f from the training loader), train with early stopping, test."""
    seed_everything(seed)
    loaders = ts.make_loaders(
        cell.splits,
        cell.jtft.seq_len,
        cell.horizon,
        cell.batch,
        train_stride=cell.train_stride,
        eval_batch_size=256,
        seed=seed,
    )
    net = build(model_name, cell) if net is None else net
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
        patience=configs.for_budget(budget).patience,
        min_epochs=cell.min_epochs,
        schedule=cell.schedule,
        max_steps_per_epoch=max_steps,
        budget=budget,
        desc=f"{model_name} {cell.name} seed {seed}",
    )
    res = evaluate(net, loaders.test)
    return Run(model_name, seed, res["mse"], res["mae"], res["n_windows"], len(hist.val_loss), hist, net)


def test_predictions(run: Run, cell: Cell) -> tuple[np.ndarray, np.ndarray]:
    """``(yhat, y)`` over every test window, in time order."""
    loaders = ts.make_loaders(cell.splits, cell.jtft.seq_len, cell.horizon, cell.batch, eval_batch_size=256)
    return predict(run.net, loaders.test)


def summarise(runs: list[Run]) -> dict[str, dict[str, list[float]]]:
    """``{model: {"mse": [...], "mae": [...]}}`` over seeds."""
    out: dict[str, dict[str, list[float]]] = {}
    for r in runs:
        d = out.setdefault(r.model, {"mse": [], "mae": []})
        d["mse"].append(r.mse)
        d["mae"].append(r.mae)
    return out


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
