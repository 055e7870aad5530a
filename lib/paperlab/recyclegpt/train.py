"""Seeded training with fixed step counts, and a checkpoint cache keyed by everything that shapes it.

Notebooks call :func:`train_or_load`: the first caller trains and writes
``build/cache/recyclegpt/<key>.pt`` atomically (temporary file, then rename); later callers (03 and 04
reuse the model 02 trains) load it. The key hashes the spec, the training and validation ids and this
package's model code, so a change to any of them retrains. Training never stops on a timer, so a rerun
prints the same numbers. ``PAPERLAB_CHECKPOINT_DIR`` overrides the folder (tests use a temporary one).
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
from paperlab.recyclegpt.evaluate import cross_entropy_std_rec_alt
from paperlab.recyclegpt.model import RecycleGPT

_MODEL_SOURCES = ("config.py", "cache.py", "model.py", "train.py")
#: validation checkpoints per run (the last one at the last step) and at most this many windows each
VAL_POINTS, VAL_WINDOWS = 5, 32


def n_val_windows(spec: TrainSpec, n_val_ids: int) -> int:
    """Validation windows per checkpoint: two training batches' worth, at most VAL_WINDOWS."""
    return max(1, min(VAL_WINDOWS, 2 * spec.batch, n_val_ids // spec.ctx))


def checkpoint_dir() -> Path:
    """Where trained checkpoints live: ``build/cache/recyclegpt`` (``$PAPERLAB_CHECKPOINT_DIR`` if set)."""
    env = os.environ.get("PAPERLAB_CHECKPOINT_DIR")
    return Path(env) if env else paths.build_dir() / "cache" / "recyclegpt"


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


def val_steps(steps: int) -> list[int]:
    """The steps (1-based, after the update) at which training records a validation CE."""
    return sorted({max(1, round(steps * (i + 1) / VAL_POINTS)) for i in range(VAL_POINTS)})


def train(
    spec: TrainSpec, train_ids: np.ndarray, progress=None, val_ids: np.ndarray | None = None
) -> tuple[RecycleGPT, dict[str, list[float]]]:
    """Train from scratch (or the module only, on the parent's frozen base) for exactly spec.steps steps.

    Returns the model (eval mode) and the history {"lm": [...], "rec": [...]} of per-step training
    losses; with ``val_ids`` also "val_step" and "val_std" / "val_rec": the validation CE (nats/char,
    the first :func:`n_val_windows` windows of length spec.ctx) at :func:`val_steps`, to judge whether
    training has levelled off. Validation runs under ``no_grad`` and does not touch the random streams.
    """
    torch.manual_seed(spec.seed)
    model = RecycleGPT(spec.model)
    if spec.parent is not None:
        parent, _, _ = train_or_load(spec.parent, train_ids, val_ids=val_ids)
        model.base.load_state_dict(parent.base.state_dict())
        model.freeze_base()
    params = [p for p in {id(p): p for p in model.parameters()}.values() if p.requires_grad]
    if spec.lambda_rec == 0:
        params = [p for p in params if all(p is not q for q in model.rec.parameters())]
    opt = torch.optim.AdamW(params, lr=spec.lr, betas=(0.9, 0.95), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, spec.warmup, spec.steps))
    history: dict[str, list[float]] = {"lm": [], "rec": []}
    if val_ids is not None:
        history.update(val_step=[], val_std=[], val_rec=[])
        n_val = n_val_windows(spec, len(val_ids))
        checks = set(val_steps(spec.steps))
    model.train()
    it = batches(train_ids, spec.batch, spec.ctx, spec.steps, spec.seed + 1)
    for step, x in enumerate(progress(it, total=spec.steps) if progress else it, start=1):
        loss = model.losses(x, spec.lambda_rec, spec.use_embedding)
        opt.zero_grad(set_to_none=True)
        loss["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        history["lm"].append(loss["lm"].item())
        history["rec"].append(loss["rec"].item())
        if val_ids is not None and step in checks:
            model.eval()
            ce = cross_entropy_std_rec_alt(model, val_ids, spec.ctx, 1, batch=n_val,
                                           use_embedding=spec.use_embedding)
            history["val_step"].append(step)
            history["val_std"].append(ce["std"])
            history["val_rec"].append(ce["rec"])
            model.train()
    model.eval()
    return model, history


def _jsonable(spec: TrainSpec) -> dict:
    return asdict(spec)


def cache_key(spec: TrainSpec, train_ids: np.ndarray, val_ids: np.ndarray | None = None) -> str:
    """SHA-256 (first 16 hex) of the spec, the training (and validation) ids and the model code."""
    h = hashlib.sha256(json.dumps(_jsonable(spec), sort_keys=True).encode())
    h.update(hashlib.sha256(np.ascontiguousarray(train_ids).tobytes()).digest())
    if val_ids is not None:
        h.update(b"val" + hashlib.sha256(np.ascontiguousarray(val_ids).tobytes()).digest())
    here = Path(__file__).parent
    for name in _MODEL_SOURCES:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def train_or_load(
    spec: TrainSpec,
    train_ids: np.ndarray,
    progress=None,
    use_cache: bool = True,
    val_ids: np.ndarray | None = None,
) -> tuple[RecycleGPT, dict[str, list[float]], bool]:
    """Return (model, history, loaded_from_cache); train and cache when no checkpoint exists."""
    path = checkpoint_dir() / f"{cache_key(spec, train_ids, val_ids)}.pt"
    if use_cache and path.is_file():
        try:
            blob = torch.load(path, weights_only=True)
            model = RecycleGPT(spec.model)
            model.load_state_dict(blob["state"])
            model.eval()
            return model, blob["history"], True
        except (RuntimeError, KeyError, EOFError, OSError):
            pass  # a corrupt or foreign file: retrain and overwrite
    model, history = train(spec, train_ids, progress, val_ids)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        torch.save({"state": model.state_dict(), "history": history}, tmp)
        os.replace(tmp, path)
    return model, history, False


def time_train_steps(spec: TrainSpec, train_ids: np.ndarray, batch: int, steps: int = 2) -> dict:
    """Build ``spec``'s model at full size and run ``steps`` optimisation steps of ``batch`` windows.

    The paper budget's configuration cannot train here; this proves it builds and steps, and measures
    the seconds per step (the first step, which allocates optimiser state, is reported separately).
    Returns {"first_s", "step_s" (median of the later steps, or the first when steps == 1), "loss": [...],
    "params": number of trainable parameters}.
    """
    import statistics
    import time

    if steps < 1 or batch < 1:
        raise ValueError(f"steps and batch must be >= 1, got {steps}, {batch}")
    torch.manual_seed(spec.seed)
    model = RecycleGPT(spec.model)
    params = list({id(p): p for p in model.parameters()}.values())
    opt = torch.optim.AdamW(params, lr=spec.lr, betas=(0.9, 0.95), weight_decay=0.01)
    model.train()
    times, losses = [], []
    for x in batches(train_ids, batch, spec.ctx, steps, spec.seed + 1):
        t0 = time.perf_counter()
        loss = model.losses(x, spec.lambda_rec, spec.use_embedding)
        opt.zero_grad(set_to_none=True)
        loss["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(loss["total"].item())
    return {"first_s": times[0], "step_s": statistics.median(times[1:] or times), "loss": losses,
            "params": sum(p.numel() for p in params)}
