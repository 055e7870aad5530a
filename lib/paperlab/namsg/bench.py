"""Comparison runners: the same seeded data and mini-batch order for every optimizer.

``make_optimizer(name, params, lr)`` builds SGD-momentum, Adam, NAdam, AMSGrad, NAMSG or NAMSG-OBSB with
the paper's fixed betas, so a grid search varies only the step size (the paper's protocol for NAMSG;
pitfall 7: report the number of configurations each method got).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from paperlab.namsg.optim import NAMSG
from paperlab.namsg.schedules import ObservationBoost

METHODS = ("SGD-momentum", "Adam", "NAdam", "AMSGrad", "NAMSG", "NAMSG-OBSB")


def make_optimizer(
    name: str, params, lr: float, mu: float = 0.1, beta1: float = 0.999, eps: float = 1e-8
) -> torch.optim.Optimizer:
    """One of :data:`METHODS`. NAMSG uses ``betas=(beta1, 0.99)`` and ``mu``; NAMSG-OBSB starts at
    ``mu/2`` (0.05, the paper's mu0) and is boosted by an :class:`ObservationBoost`. Adam, NAdam and
    AMSGrad use torch defaults (bias-corrected, betas 0.9/0.999); SGD uses momentum 0.9."""
    if name == "SGD-momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr, foreach=True)
    if name == "NAdam":
        return torch.optim.NAdam(params, lr=lr, foreach=True)
    if name == "AMSGrad":
        return torch.optim.Adam(params, lr=lr, amsgrad=True, foreach=True)
    if name == "NAMSG":
        return NAMSG(params, lr=lr, betas=(beta1, 0.99), mu=mu, eps=eps)
    if name == "NAMSG-OBSB":
        return NAMSG(params, lr=lr, betas=(beta1, 0.99), mu=mu / 2, eps=eps)
    raise ValueError(f"name must be one of {', '.join(METHODS)}, got {name!r}")


def make_model(kind: str, seed: int, n_in: int = 64, n_out: int = 10, hidden: int = 128) -> nn.Module:
    """``"logreg"``: Linear(64, 10) (convex); ``"mlp"``: 64-128-10 with ReLU. torch's default
    initialisation, drawn after ``torch.manual_seed(seed)``, so every optimizer starts from the same point."""
    torch.manual_seed(seed)
    if kind == "logreg":
        return nn.Linear(n_in, n_out)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))
    raise ValueError(f"kind must be 'logreg' or 'mlp', got {kind!r}")


@torch.no_grad()
def _full_loss(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return float(nn.functional.cross_entropy(model(X), y))


def train_classifier(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    data: Sequence[torch.Tensor],
    epochs: int,
    batch_size: int,
    seed: int,
    boost: ObservationBoost | None = None,
) -> dict:
    """Mini-batch training with a seeded shuffle; full-batch train loss recorded at every epoch end.

    Returns ``{"train_loss": [L_0, ..., L_E] (L_0 at initialisation), "test_acc": float,
    "diverged": bool, "boost_epochs": [...]}``. Training stops early (loss ``inf``) if it diverges.
    """
    if epochs < 0 or batch_size < 1:
        raise ValueError(f"epochs must be >= 0 and batch_size >= 1, got {epochs}, {batch_size}")
    Xtr, ytr, Xte, yte = data
    g = torch.Generator().manual_seed(10_000 + seed)
    n = len(Xtr)
    losses = [_full_loss(model, Xtr, ytr)]
    diverged = False
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            nn.functional.cross_entropy(model(Xtr[idx]), ytr[idx]).backward()
            opt.step()
        loss = _full_loss(model, Xtr, ytr)
        if not math.isfinite(loss) or loss > 1e6:
            diverged = True
            losses.extend([math.inf] * (epochs + 1 - len(losses)))
            break
        losses.append(loss)
        if boost is not None:
            boost.on_epoch_end(loss)
    with torch.no_grad():
        acc = float((model(Xte).argmax(1) == yte).float().mean()) if not diverged else math.nan
    return {
        "train_loss": losses,
        "test_acc": acc,
        "diverged": diverged,
        "boost_epochs": list(boost.boost_epochs) if boost is not None else [],
    }


def run(
    method: str,
    kind: str,
    lr: float,
    seed: int,
    data,
    epochs: int,
    batch_size: int,
    mu: float = 0.1,
    beta1: float = 0.999,
    eps: float = 1e-8,
    boost_at: int | None = None,
) -> dict:
    """Train one (method, model kind, lr, seed) configuration from scratch; see :func:`train_classifier`."""
    model = make_model(kind, seed)
    opt = make_optimizer(method, model.parameters(), lr, mu=mu, beta1=beta1, eps=eps)
    boost = None
    if method == "NAMSG-OBSB":
        boost = ObservationBoost(opt, k=2, at_epoch=boost_at)
    return train_classifier(model, opt, data, epochs, batch_size, seed, boost=boost)


def grid_search(train_fn: Callable[[float, int], dict], lrs: Sequence[float], seeds: Sequence[int]) -> dict:
    """Run ``train_fn(lr, seed)`` on the grid; pick the lr with the lowest mean final train loss.

    Returns ``{"lrs", "final": {lr: mean final loss}, "histories": {lr: [history per seed]},
    "best_lr", "best_on_edge": bool, "configs": len(lrs)}``.
    """
    if not lrs or not seeds:
        raise ValueError("lrs and seeds must be non-empty")
    histories = {lr: [train_fn(lr, s) for s in seeds] for lr in lrs}
    final = {lr: float(np.mean([h["train_loss"][-1] for h in hs])) for lr, hs in histories.items()}
    best = min(lrs, key=lambda lr: (final[lr], lr))
    return {
        "lrs": list(lrs),
        "final": final,
        "histories": histories,
        "best_lr": best,
        "best_on_edge": len(lrs) > 1 and best in (min(lrs), max(lrs)),
        "configs": len(lrs),
    }


def mean_curve(histories: Sequence[dict]) -> np.ndarray:
    """Mean train-loss curve over seeds, shape ``(epochs + 1,)`` (``inf`` if any seed diverged)."""
    return np.mean(np.array([h["train_loss"] for h in histories], dtype=float), axis=0)


def epochs_to_reach(history: Sequence[float], target: float) -> int | None:
    """First epoch ``e`` with ``history[e] <= target`` (``history[0]`` is the initial loss), else ``None``."""
    for e, loss in enumerate(history):
        if loss <= target:
            return e
    return None


def step_times(n_params: int, reps: int, width: int = 1000) -> tuple[int, dict[str, list[float]]]:
    """Wall time of ``optimizer.step()`` (seconds) for Adam, AMSGrad and NAMSG on ``n_params`` parameters.

    The model is a stack of bias-free ``width x width`` linear layers with fixed random gradients.
    Optimizers are timed interleaved (each repetition steps every optimizer once), so load changes hit all
    alike; compare medians or minima. Returns ``(actual parameter count, {name: [seconds per step]})``.
    """
    import time

    if n_params < width * width or reps < 1:
        raise ValueError(f"n_params must be >= width^2 = {width * width} and reps >= 1")
    layers = n_params // (width * width)

    def params():
        torch.manual_seed(0)
        ps = [torch.randn(width, width) * 0.01 for _ in range(layers)]
        for p in ps:
            p.grad = torch.randn_like(p) * 1e-3
        return ps

    opts = {
        "Adam(foreach)": torch.optim.Adam(params(), lr=1e-3, foreach=True),
        "AMSGrad(foreach)": torch.optim.Adam(params(), lr=1e-3, amsgrad=True, foreach=True),
        "NAMSG(foreach)": NAMSG(params(), lr=1e-2, foreach=True),
        "NAMSG(for-loop)": NAMSG(params(), lr=1e-2, foreach=False),
    }
    times: dict[str, list[float]] = {k: [] for k in opts}
    for _ in range(2):  # warm-up: allocate state
        for o in opts.values():
            o.step()
    for _ in range(reps):
        for k, o in opts.items():
            t0 = time.perf_counter()
            o.step()
            times[k].append(time.perf_counter() - t0)
    return layers * width * width, times


def compare(
    kind: str,
    grids: dict,
    epochs: int,
    seeds: dict,
    data,
    batch_size: int,
    boost_at: int | None = None,
    progress=None,
) -> dict:
    """Grid-search every method of ``grids`` (``{method: lrs}``) on one task.

    ``seeds`` maps method -> seed list. ``progress`` optionally wraps the method loop (e.g. a tqdm bar).
    Returns ``{method: grid_search result}`` (see :func:`grid_search`).
    """
    unknown = set(grids) - set(METHODS)
    if unknown:
        raise ValueError(f"grids has unknown methods: {sorted(unknown)}")
    names = list(grids) if progress is None else progress(list(grids))
    out = {}
    for m in names:
        out[m] = grid_search(
            lambda lr, s, m=m: run(m, kind, lr, s, data, epochs, batch_size, boost_at=boost_at),
            grids[m],
            seeds[m],
        )
    return out
