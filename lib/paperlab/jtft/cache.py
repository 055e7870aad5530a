"""Trained-model cache shared by notebooks 03 and 04: ``build/cache/jtft/<key>.pt`` (git-ignored).

The key is a SHA-256 over everything that determines a trained model: the model name, the cell's
configuration (dataset, horizon, JTFT config, optimiser settings, epochs, stride, patience), the seed,
the budget, a fingerprint of the training data and the source of the JTFT library modules and the
data pipeline. Changing any of them trains afresh; a smoke run never reads a lab entry because the
budget is part of the key. Nothing here is written at the smoke budget (see :func:`enabled`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, is_dataclass
from pathlib import Path

import numpy as np
import torch

from paperlab.core import paths

#: Source files whose change invalidates every cached model (relative to lib/paperlab).
SOURCES = (
    "jtft/baselines.py",
    "jtft/layers.py",
    "jtft/model.py",
    "jtft/train.py",
    "jtft/freq_init.py",
    "jtft/experiments.py",
    "data/timeseries.py",
)


def enabled(budget: str) -> bool:
    """Caching is for the lab and paper budgets only (smoke always trains, so its text repeats)."""
    return budget in ("lab", "paper")


def cache_dir() -> Path:
    return paths.build_dir() / "cache" / "jtft"


def _jsonable(x):
    if is_dataclass(x):
        return _jsonable(asdict(x))
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()
    if isinstance(x, float | int | str | bool) or x is None:
        return x
    raise TypeError(f"cannot key a cache entry on {type(x).__name__}")


def source_fingerprint() -> str:
    """SHA-256 of the library files that define the models, training and data pipeline."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for rel in SOURCES:
        h.update(rel.encode())
        h.update((root / rel).read_bytes())
    return h.hexdigest()


def key(spec: dict) -> str:
    """Hex key of a JSON-able ``spec`` (dataclasses and arrays allowed) plus the source fingerprint."""
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a dict, got {type(spec).__name__}")
    blob = json.dumps({"spec": _jsonable(spec), "src": source_fingerprint()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def load(k: str) -> dict | None:
    """The stored entry for key ``k`` or None."""
    path = cache_dir() / f"{k}.pt"
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=False)


def store(k: str, entry: dict) -> Path:
    """Write ``entry`` (a dict of state_dict, history, metrics) atomically under key ``k``."""
    d = cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f"{k}.pt.tmp"
    torch.save(entry, tmp)
    tmp.replace(d / f"{k}.pt")
    return d / f"{k}.pt"
