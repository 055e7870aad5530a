"""Seeded training with fixed step counts, and a checkpoint cache keyed by everything that shapes it.

Notebooks call :func:`train_or_load`: the first caller trains and writes
``~/.cache/paperlab/recyclegpt/<key>.pt`` atomically (temporary file, then rename); later callers load
it. The key hashes the spec, the corpus checksum and this package's model code, so a change to any of
them retrains. Training never stops on a timer, so a rerun prints the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from paperlab.core import paths
from paperlab.recyclegpt.config import TinyGPTConfig
from paperlab.recyclegpt.model import RecycleGPT

_MODEL_SOURCES = ("config.py", "cache.py", "model.py", "train.py")


@dataclass(frozen=True)
class TrainSpec:
    """Everything that determines a trained model.

    Attributes:
        model: sizes. steps, batch, ctx: optimisation steps, windows per step, window length.
        lr, warmup: AdamW peak rate, linear warm-up steps, then cosine decay to lr/10.
        lambda_rec: weight of L_rec (0 trains the base alone). use_embedding: R sees E(x_{t+1}).
        seed: initialisation and batch order. parent: a spec whose base is loaded and frozen, so only
        the module trains (adaptation to a pretrained model).
    """

    model: TinyGPTConfig
    steps: int
    batch: int
    ctx: int
    lr: float = 3e-3
    warmup: int = 20
    lambda_rec: float = 1.0
    use_embedding: bool = True
    seed: int = 0
    parent: TrainSpec | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "batch", "ctx"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.ctx < 3:
            raise ValueError(f"ctx must be >= 3, got {self.ctx}")
        if self.parent is not None and self.lambda_rec == 0:
            raise ValueError("lambda_rec must be > 0 when the base is frozen (parent given)")


def batches(ids: np.ndarray, batch: int, ctx: int, steps: int, seed: int):
    """Yield ``steps`` batches (batch, ctx) of random windows, drawn from a seeded generator."""
    gen = torch.Generator().manual_seed(seed)
    data = torch.as_tensor(ids, dtype=torch.long)
    offsets = torch.arange(ctx)
    for _ in range(steps):
        starts = torch.randint(0, len(data) - ctx, (batch, 1), generator=gen)
        yield data[starts + offsets]


def lr_factor(step: int, warmup: int, steps: int) -> float:
    """Linear warm-up to 1, then cosine decay to 0.1 at the last step."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, progress)))


def train(spec: TrainSpec, train_ids: np.ndarray, progress=None) -> tuple[RecycleGPT, dict[str, list[float]]]:
    """Train from scratch (or the module only, on the parent's frozen base) for exactly spec.steps steps.

    Returns the model (eval mode) and the history {"lm": [...], "rec": [...]} of per-step losses.
    """
    torch.manual_seed(spec.seed)
    model = RecycleGPT(spec.model)
    if spec.parent is not None:
        parent, _, _ = train_or_load(spec.parent, train_ids)
        model.base.load_state_dict(parent.base.state_dict())
        model.freeze_base()
    params = [p for p in {id(p): p for p in model.parameters()}.values() if p.requires_grad]
    if spec.lambda_rec == 0:
        params = [p for p in params if all(p is not q for q in model.rec.parameters())]
    opt = torch.optim.AdamW(params, lr=spec.lr, betas=(0.9, 0.95), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, spec.warmup, spec.steps))
    history: dict[str, list[float]] = {"lm": [], "rec": []}
    model.train()
    it = batches(train_ids, spec.batch, spec.ctx, spec.steps, spec.seed + 1)
    for x in progress(it, total=spec.steps) if progress else it:
        loss = model.losses(x, spec.lambda_rec, spec.use_embedding)
        opt.zero_grad(set_to_none=True)
        loss["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        history["lm"].append(loss["lm"].item())
        history["rec"].append(loss["rec"].item())
    model.eval()
    return model, history


def _jsonable(spec: TrainSpec) -> dict:
    return asdict(spec)


def cache_key(spec: TrainSpec, train_ids: np.ndarray) -> str:
    """SHA-256 (first 16 hex) of the spec, the training ids and the model code."""
    h = hashlib.sha256(json.dumps(_jsonable(spec), sort_keys=True).encode())
    h.update(hashlib.sha256(np.ascontiguousarray(train_ids).tobytes()).digest())
    here = Path(__file__).parent
    for name in _MODEL_SOURCES:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def train_or_load(
    spec: TrainSpec, train_ids: np.ndarray, progress=None, use_cache: bool = True
) -> tuple[RecycleGPT, dict[str, list[float]], bool]:
    """Return (model, history, loaded_from_cache); train and cache when no checkpoint exists."""
    path = paths.cache_dir() / "recyclegpt" / f"{cache_key(spec, train_ids)}.pt"
    if use_cache and path.is_file():
        try:
            blob = torch.load(path, weights_only=True)
            model = RecycleGPT(spec.model)
            model.load_state_dict(blob["state"])
            model.eval()
            return model, blob["history"], True
        except (RuntimeError, KeyError, EOFError, OSError):
            pass  # a corrupt or foreign file: retrain and overwrite
    model, history = train(spec, train_ids, progress)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        torch.save({"state": model.state_dict(), "history": history}, tmp)
        os.replace(tmp, path)
    return model, history, False
