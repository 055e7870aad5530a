"""Rounded printing, so that seeded runs print identical text on every machine with the lock."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def r(x: float, digits: int = 3) -> str:
    """Format ``x`` with ``digits`` significant digits (``nan`` and ``inf`` spelled out)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    out = f"{x:.{digits}g}"
    return "0" if out in ("-0", "0") else out


def pm(values: Sequence[float] | Iterable[float], digits: int = 3) -> str:
    """``mean ± std`` (population std) of ``values``; a single value prints alone."""
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError("values must not be empty")
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return r(mean, digits)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
    return f"{r(mean, digits)} ± {r(std, digits)}"


def table(rows: Sequence[dict], digits: int = 3) -> str:
    """A plain-text table of ``rows`` (dicts with the same keys); floats are rounded with :func:`r`."""
    if not rows:
        return "(empty)"
    keys = list(rows[0])
    cells = [[k for k in keys]] + [
        [r(v, digits) if isinstance(v, float) else str(v) for v in (row[k] for k in keys)] for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(keys))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
