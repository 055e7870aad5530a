"""Data-parallel sharding for the RedSync series.

The images come from the shared loaders :func:`paperlab.data.small.digits` and
:func:`paperlab.data.small.mnist5k` (one split convention for every series, documented there).
"""

from __future__ import annotations

import numpy as np


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
