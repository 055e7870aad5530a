"""Seeding for reproducible runs (random, numpy, torch; gymnasium envs are seeded by paperlab.rl)."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = True) -> np.random.Generator:
    """Seed Python, numpy and torch; make torch use deterministic algorithms.

    Args:
        seed: a non-negative integer.
        deterministic: call ``torch.use_deterministic_algorithms(True, warn_only=True)``.

    Returns:
        A fresh ``numpy.random.Generator`` seeded with ``seed`` for code that prefers explicit RNGs.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency
        torch = None
    if torch is not None:
        torch.manual_seed(seed)
        if deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
        threads = os.environ.get("OMP_NUM_THREADS")
        if threads and threads.isdigit():
            torch.set_num_threads(int(threads))
    return np.random.default_rng(seed)
