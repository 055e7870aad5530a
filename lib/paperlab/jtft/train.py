"""Training with early stopping on the validation loss, and evaluation over every test window.

Loss: Huber(δ) on standardised values for training and validation (the official ``--use_huber_loss``),
MSE and MAE for the reported test metrics. Adam, constant, OneCycle or halving (LTSF-Linear's "type1": the
rate halves after every epoch) schedule. The best validation
state is restored at the end; the test split is never looked at during training.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from paperlab.core.progress import progress


@dataclass
class History:
    """Per-epoch train/val losses, the epoch whose weights were kept, and f before training and after
    each epoch (JTFT only)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1
    frequencies: list[np.ndarray] = field(default_factory=list)
    stopped_early: bool = False
    lrs: list[float] = field(default_factory=list)  # the learning rate at the start of each epoch

    def converged(self, tol: float = 0.01) -> bool:
        """VERDICTS.md section 3: early stopping fired, or the best validation loss improved by less than
        ``tol`` (relative) over the last fifth of the epochs. A model with nothing to train counts as converged."""
        if self.stopped_early or len(self.train_loss) == 0:
            return True
        n = len(self.val_loss)
        k = max(1, -(-n // 5))  # ceil(n / 5) epochs form the last fifth
        if n <= k:
            return False  # too few epochs to tell
        before = min(self.val_loss[: n - k])
        after = min(self.val_loss)
        return (before - after) <= tol * abs(before)


def _loss_fn(loss: str, delta: float) -> nn.Module:
    if loss == "huber":
        return nn.HuberLoss(delta=delta)
    if loss == "mse":
        return nn.MSELoss()
    raise ValueError(f"loss must be 'huber' or 'mse', got {loss!r}")


def _freqs(model: nn.Module) -> np.ndarray | None:
    cdct = getattr(model, "cdct", None)
    return None if cdct is None else cdct.frequencies.detach().numpy().copy()


@torch.no_grad()
def _val_loss(model: nn.Module, loader: DataLoader, crit: nn.Module) -> float:
    model.eval()
    total, n = 0.0, 0
    for x, y in loader:
        total += float(crit(model(x), y)) * len(x)
        n += len(x)
    return total / n


def fit(
    model: nn.Module,
    train: DataLoader,
    val: DataLoader,
    *,
    epochs: int,
    lr: float,
    loss: str = "huber",
    delta: float = 1.0,
    patience: int = 10,
    min_epochs: int = 0,
    schedule: str = "constant",
    max_steps_per_epoch: int | None = None,
    budget: str | None = None,
    desc: str = "train",
) -> History:
    """Train ``model`` for at most ``epochs`` epochs; stop when the validation loss has not improved
    for ``patience`` epochs (not before ``min_epochs``); restore the best validation weights."""
    if epochs <= 0:
        raise ValueError(f"epochs must be positive, got {epochs}")
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if schedule not in ("constant", "onecycle", "halving"):
        raise ValueError(f"schedule must be 'constant', 'onecycle' or 'halving', got {schedule!r}")
    crit = _loss_fn(loss, delta)
    hist = History()
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:  # e.g. the naive forecast
        hist.val_loss.append(_val_loss(model, val, crit))
        hist.best_epoch = 0
        return hist
    opt = torch.optim.Adam(params, lr=lr)
    steps = len(train) if max_steps_per_epoch is None else min(len(train), max_steps_per_epoch)
    sched = (
        torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps, pct_start=0.3)
        if schedule == "onecycle"
        else None
    )
    best, best_state, waited = float("inf"), copy.deepcopy(model.state_dict()), 0
    penalty = getattr(model, "penalty", None)
    f0 = _freqs(model)
    if f0 is not None:  # frequencies[0] is the initial f, then one entry per epoch
        hist.frequencies.append(f0)
    for epoch in progress(range(epochs), budget=budget, desc=desc):
        hist.lrs.append(float(opt.param_groups[0]["lr"]))
        model.train()
        total = 0.0
        for step, (x, y) in enumerate(train):
            if step >= steps:
                break
            opt.zero_grad()
            out = crit(model(x), y)
            obj = out + penalty() if penalty is not None else out
            obj.backward()
            opt.step()
            if sched is not None:
                sched.step()
            total += float(out.detach())
        if schedule == "halving":  # LTSF-Linear's "type1": the rate halves after every epoch
            for group in opt.param_groups:
                group["lr"] = lr * 0.5 ** (epoch + 1)
        hist.train_loss.append(total / steps)
        hist.val_loss.append(_val_loss(model, val, crit))
        f = _freqs(model)
        if f is not None:
            hist.frequencies.append(f)
        if hist.val_loss[-1] < best:
            best, best_state, waited, hist.best_epoch = (
                hist.val_loss[-1],
                copy.deepcopy(model.state_dict()),
                0,
                epoch,
            )
        else:
            waited += 1
            if waited >= patience and epoch + 1 >= min_epochs:
                hist.stopped_early = True
                break
    model.load_state_dict(best_state)
    model.eval()
    return hist


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader) -> tuple[np.ndarray, np.ndarray]:
    """All forecasts and targets of ``loader`` in order: ``(yhat [n, H, C], y [n, H, C])``."""
    model.eval()
    preds, ys = [], []
    for x, y in loader:
        preds.append(model(x).numpy())
        ys.append(y.numpy())
    return np.concatenate(preds), np.concatenate(ys)


def evaluate(model: nn.Module, loader: DataLoader) -> dict[str, float]:
    """MSE, MAE (standardised scale) and the number of windows over the whole test loader.

    Raises:
        ValueError: ``loader`` drops its last batch (the official test loader does; see E1b).
    """
    if not isinstance(loader, DataLoader):
        raise TypeError(f"loader must be a torch DataLoader, got {type(loader).__name__}")
    if loader.drop_last:
        raise ValueError("loader must keep every test window: build it with drop_last=False")
    yhat, y = predict(model, loader)
    if len(yhat) != len(loader.dataset):
        raise ValueError(f"loader yielded {len(yhat)} windows but its dataset has {len(loader.dataset)}")
    err = yhat.astype(np.float64) - y
    return {"mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err))), "n_windows": len(y)}
