"""Independent seeds for the several random streams of one run (env, eval env, agent, replay)."""

from __future__ import annotations

import numpy as np


def env_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent 31-bit seeds derived from ``seed`` through ``np.random.SeedSequence.spawn``.

    Streams spawned from one SeedSequence are statistically independent, unlike ``seed, seed+1, ...``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    children = np.random.SeedSequence(int(seed)).spawn(int(n))
    return [int(c.generate_state(1)[0] >> 1) for c in children]
