"""Gate measurements of the RedSync scorecard (``../shared/VERDICTS.md`` section 3)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def last_fifth_change(curve: Sequence[float]) -> float:
    """Relative change (%) of a learning curve over its last fifth, the "trained enough" gate.

    ``100 |c[-1] - c[j]| / |c[j]|`` with ``j = floor(0.8 (n - 1))``, the point at 80 % of training; a
    curve of validation losses or perplexities, one value per evaluation. ``nan`` for fewer than two points
    (nothing to compare: such a run cannot pass the gate).

    Raises:
        ValueError: a non-finite value or a zero at ``j``.
    """
    c = np.asarray(curve, dtype=float)
    if c.ndim != 1:
        raise ValueError(f"curve must be 1-D, got shape {c.shape}")
    if c.size < 2:
        return math.nan
    if not np.all(np.isfinite(c)):
        raise ValueError("curve must be finite")
    j = int(math.floor(0.8 * (c.size - 1)))
    if c[j] == 0:
        raise ValueError("curve is zero at 80 % of training: a relative change is undefined")
    return float(100 * abs(c[-1] - c[j]) / abs(c[j]))
