"""Schedule search under the LDM constraint: random, grid and greedy (coordinate descent) strategies.

A :class:`Space` is a dict of knobs (name -> list of choices) plus ``make(point) -> Schedule``. A point is
**feasible** when it lowers without error (the LDM check rejects tiles over 60 KB before any costing);
infeasible points cost ``inf`` and count as evaluations. The objective is the modelled time
(:func:`paperlab.compiler.cost.estimate`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from paperlab.compiler.cost import CostReport, estimate
from paperlab.compiler.lower import LDMOverflowError, lower
from paperlab.compiler.schedule import ScheduleError
from paperlab.sunway.arch import SW26010

__all__ = ["Space", "TuneResult", "search", "exhaustive"]

STRATEGIES = ("random", "grid", "greedy")


@dataclass
class Space:
    """Knobs (name -> choices) and a schedule builder ``make(point) -> Schedule``."""

    knobs: dict[str, list]
    make: Callable
    spec: SW26010 = field(default_factory=SW26010)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not self.knobs or any(len(v) == 0 for v in self.knobs.values()):
            raise ValueError("knobs must map each name to a non-empty list of choices")

    @property
    def size(self) -> int:
        return math.prod(len(v) for v in self.knobs.values())

    def points(self):
        """Every point in lexicographic order."""
        keys = list(self.knobs)
        for combo in itertools.product(*self.knobs.values()):
            yield dict(zip(keys, combo, strict=True))

    def evaluate(self, point: dict) -> tuple[float, CostReport | None]:
        """Modelled time of ``point`` (``inf`` when infeasible), memoised."""
        key = tuple(point[k] for k in self.knobs)
        if key not in self._cache:
            try:
                rep = estimate(lower(self.make(point), self.spec))
                self._cache[key] = (rep.time, rep)
            except (LDMOverflowError, ScheduleError):
                self._cache[key] = (math.inf, None)
        return self._cache[key]


@dataclass
class TuneResult:
    """Best point, its time and report, and the history of (point, time) in evaluation order."""

    best: dict | None
    time: float
    report: CostReport | None
    history: list = field(default_factory=list)

    @property
    def evaluations(self) -> int:
        return len(self.history)

    def best_so_far(self) -> np.ndarray:
        return np.minimum.accumulate(np.array([t for _, t in self.history])) if self.history else np.array([])


def exhaustive(space: Space) -> TuneResult:
    """Evaluate every point (the reference optimum for small spaces)."""
    return search(space, budget=space.size, strategy="grid")


def search(space: Space, budget: int, strategy: str = "random", seed: int = 0) -> TuneResult:
    """Search ``space`` with at most ``budget`` evaluations of distinct points.

    ``grid``: lexicographic enumeration; ``random``: distinct points drawn uniformly; ``greedy``: from a
    random start, try every choice of one knob at a time and move to the best, until no knob improves,
    then restart from a new random point.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise ValueError(f"budget must be a positive int, got {budget!r}")
    rng = np.random.default_rng(seed)
    keys = list(space.knobs)
    seen: dict = {}
    history: list = []

    def ev(point: dict) -> float:
        key = tuple(point[k] for k in keys)
        if key not in seen:
            seen[key] = space.evaluate(point)[0]
            history.append((dict(point), seen[key]))
        return seen[key]

    def random_point() -> dict:
        return {k: v[int(rng.integers(len(v)))] for k, v in space.knobs.items()}

    budget = min(budget, space.size)
    if strategy == "grid":
        for p in itertools.islice(space.points(), budget):
            ev(p)
    elif strategy == "random":
        while len(history) < budget:
            ev(random_point())
    else:
        while len(history) < budget:
            cur = random_point()
            t_cur = ev(cur)
            improved = True
            while improved and len(history) < budget:
                improved = False
                for k in keys:
                    for choice in space.knobs[k]:
                        if len(history) >= budget:
                            break
                        cand = {**cur, k: choice}
                        t = ev(cand)
                        if t < t_cur:
                            cur, t_cur, improved = cand, t, True
    best_point, best_t = min(history, key=lambda h: h[1])
    if not math.isfinite(best_t):
        return TuneResult(None, math.inf, None, history)
    return TuneResult(best_point, best_t, space.evaluate(best_point)[1], history)
