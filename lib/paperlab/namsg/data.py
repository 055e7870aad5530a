"""scikit-learn's digits (the offline MNIST stand-in), read from the SHA-256-verified file.

``paperlab.data.locate("digits")`` verifies the decompressed CSV inside the installed scikit-learn;
here it is parsed with gzip + numpy (pixels 0..16 in columns 0..63, label in column 64).
"""

from __future__ import annotations

import gzip

import numpy as np
import torch

from paperlab.data import locate

PIXEL_SCALE = 16.0  # frozen preprocessing: pixels / 16 in [0, 1]


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits: ``X`` (1797, 64) float64 in 0..16 and ``y`` (1797,) int64 in 0..9."""
    path = locate("digits")
    with gzip.open(path, "rt") as f:
        raw = np.loadtxt(f, delimiter=",")
    return raw[:, :-1], raw[:, -1].astype(np.int64)


def digits(split_seed: int = 0, test_size: float = 0.2) -> tuple[torch.Tensor, ...]:
    """Stratified split of digits, pixels divided by 16.

    Returns:
        ``Xtr`` (1437, 64) float32, ``ytr`` (1437,) int64, ``Xte`` (360, 64), ``yte`` (360,) at the default size.
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    from sklearn.model_selection import train_test_split

    X, y = load_digits_arrays()
    Xtr, Xte, ytr, yte = train_test_split(
        X / PIXEL_SCALE, y, test_size=test_size, stratify=y, random_state=split_seed
    )
    as_f = lambda a: torch.as_tensor(a, dtype=torch.float32)
    return as_f(Xtr), torch.as_tensor(ytr), as_f(Xte), torch.as_tensor(yte)
