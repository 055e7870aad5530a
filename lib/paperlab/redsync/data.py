"""Offline data for the RedSync series: scikit-learn's digits (8x8 images, 10 classes).

The file ships inside the scikit-learn wheel and is located and SHA-256-verified (decompressed) by
``paperlab.data.locate("digits")``. A stratified 80/20 split gives 1,437 train / 360 test images;
pixels are scaled by 1/16 into [0, 1].
"""

from __future__ import annotations

import gzip

import numpy as np


def digits(
    split_seed: int = 0, test_size: float = 0.2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(Xtr (1437, 64) float32, ytr (1437,) int64, Xte (360, 64), yte (360,))``."""
    from paperlab.data import locate

    with gzip.open(locate("digits"), "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",", dtype=np.float32)
    x, y = raw[:, :-1] / 16.0, raw[:, -1].astype(np.int64)
    test = stratified_test_rows(y, test_size, split_seed)
    train = np.setdiff1d(np.arange(len(y)), test)
    train = np.random.default_rng(split_seed).permutation(train)  # shuffled: shards see every class
    return x[train], y[train], x[test], y[test]


def stratified_test_rows(y: np.ndarray, test_size: float, seed: int) -> np.ndarray:
    """Row indices of a stratified test split of ceil(test_size n) rows (largest remainders per class)."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must lie in (0, 1), got {test_size!r}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    want = test_size * counts
    take = np.floor(want).astype(int)
    extra = int(np.ceil(test_size * len(y))) - take.sum()
    take[np.argsort(-(want - take), kind="stable")[:extra]] += 1
    rows = [rng.permutation(np.flatnonzero(y == c))[:t] for c, t in zip(classes, take, strict=True)]
    return np.sort(np.concatenate(rows))


def shard_batches(
    n_rows: int, world_size: int, rank: int, batch: int, epoch: int, seed: int
) -> list[np.ndarray]:
    """Row indices of this rank's mini-batches for one epoch (strided shard, shuffled per epoch).

    Rank r owns rows r, r + p, r + 2p, ...; every rank gets the same number of full batches
    (``(n_rows // p) // batch``), so DDP ranks never disagree on the number of steps.
    """
    shard = np.arange(rank, n_rows, world_size)
    steps = (n_rows // world_size) // batch
    if steps < 1:
        raise ValueError(f"batch={batch} is larger than a shard of {n_rows // world_size} rows")
    order = np.random.default_rng([seed, rank, epoch]).permutation(shard)
    return [order[i * batch : (i + 1) * batch] for i in range(steps)]
