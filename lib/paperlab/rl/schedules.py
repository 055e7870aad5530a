"""Exploration schedules: callables ``t -> value`` (frozen dataclasses, so configs print them).

The official EMDQN code uses ``Piecewise(((0, 1.0), (200_000, 0.1), (2_000_000, 0.01)), outside=0.01)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Linear:
    """``start + (end - start) * min(t / duration, 1)``: anneal, then hold ``end``."""

    start: float
    end: float
    duration: int

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"duration must be positive, got {self.duration}")

    def __call__(self, t: int) -> float:
        frac = min(max(t, 0) / self.duration, 1.0)
        return self.start + (self.end - self.start) * frac


@dataclass(frozen=True)
class Piecewise:
    """Linear interpolation between ``(t_i, v_i)`` knots (increasing ``t_i``); ``outside`` past the last."""

    knots: tuple[tuple[int, float], ...]
    outside: float | None = None

    def __post_init__(self) -> None:
        ts = [k[0] for k in self.knots]
        if len(ts) < 1 or any(b <= a for a, b in zip(ts, ts[1:], strict=False)):
            raise ValueError(f"knots must be a non-empty sequence with increasing steps, got {self.knots!r}")

    def __call__(self, t: int) -> float:
        k = self.knots
        if t < k[0][0]:
            return k[0][1] if self.outside is None else self.outside
        for (t0, v0), (t1, v1) in zip(k, k[1:], strict=False):
            if t0 <= t < t1:
                return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return k[-1][1] if self.outside is None else self.outside


@dataclass(frozen=True)
class Exponential:
    """``end + (start - end) * exp(-t / decay_steps)``."""

    start: float
    end: float
    decay_steps: float

    def __post_init__(self) -> None:
        if self.decay_steps <= 0:
            raise ValueError(f"decay_steps must be positive, got {self.decay_steps}")

    def __call__(self, t: int) -> float:
        return self.end + (self.start - self.end) * math.exp(-max(t, 0) / self.decay_steps)


def linear(start: float, end: float, duration: int) -> Linear:
    return Linear(float(start), float(end), int(duration))


def piecewise(knots, outside: float | None = None) -> Piecewise:
    return Piecewise(tuple((int(t), float(v)) for t, v in knots), None if outside is None else float(outside))


def exponential(start: float, end: float, decay_steps: float) -> Exponential:
    return Exponential(float(start), float(end), float(decay_steps))
