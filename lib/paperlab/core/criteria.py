"""Criteria: falsifiable tests of a measured value or a measured distribution (an :class:`Estimate`).

Bounds (``at_least``, ``at_most``, ``between``) compare a value with a stated bound; ``partly`` is a looser
bound of the same kind. On an :class:`~paperlab.core.estimates.Estimate` the whole interval must be past
the bound for ``reproduced``; the centre alone earns ``partly`` (VERDICTS.md section 4). ``null`` names
the value of "no effect" (1.0 for a speed-up, 0 for a difference): an interval that contains it is a null
result, ``not reproduced``, never ``partly``.

Direction-only criteria (``exceeds``, ``falls_below``), the "no harm" criterion (``no_harm``) and the
"as good as" criterion (``equivalent``, two one-sided tests) need a noise estimate: a single value carries
``noise=``; an Estimate carries its own interval. A difference inside the noise is never ``partly``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from paperlab.core import fmt
from paperlab.core.estimates import Estimate

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
NOT_RUN = "not run at this budget"
NOT_IMPLEMENTED = "not implemented"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, INCONCLUSIVE, NOT_RUN, NOT_IMPLEMENTED)

BOUND_KINDS = ("at_least", "at_most", "between")
KINDS = (*BOUND_KINDS, "is_true", "exceeds", "falls_below", "no_harm", "equivalent")


@dataclass(frozen=True)
class Criterion:
    """A falsifiable test; build it with the functions below rather than directly."""

    kind: str
    bound: float | tuple[float, float] | None = None
    partly: float | tuple[float, float] | None = None
    null: float | None = None
    noise: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind in ("between", "equivalent"):
            for b in (self.bound, self.partly):
                if b is not None and (len(b) != 2 or b[0] > b[1]):
                    raise ValueError(f"between bounds must be (low, high) with low <= high, got {b!r}")
        if self.kind == "at_least" and self.partly is not None and self.partly > self.bound:
            raise ValueError("partly must be looser than bound (partly <= bound for at_least)")
        if self.kind == "at_most" and self.partly is not None and self.partly < self.bound:
            raise ValueError("partly must be looser than bound (partly >= bound for at_most)")
        if self.noise is not None and not (self.noise >= 0 and math.isfinite(self.noise)):
            raise ValueError(f"noise must be a finite value >= 0, got {self.noise!r}")

    # -- bounds ------------------------------------------------------------------------------------
    def _meets(self, value: float, bound) -> bool:
        if self.kind == "at_least":
            return value >= bound
        if self.kind == "at_most":
            return value <= bound
        return bound[0] <= value <= bound[1]

    def _interval_meets(self, est: Estimate, bound) -> bool:
        return self._meets(est.low, bound) and self._meets(est.high, bound)

    # -- verdicts ----------------------------------------------------------------------------------
    def judge(self, value: float | bool | Estimate) -> tuple[str, str]:
        """``(verdict, reason)`` for a measured value; ``reason`` is empty when the verdict speaks for itself."""
        if isinstance(value, Estimate):
            return self._judge_estimate(value)
        if self.kind == "is_true":
            return (REPRODUCED, "") if bool(value) else (NOT_REPRODUCED, "")
        value = float(value)
        if math.isnan(value):
            return NOT_REPRODUCED, "the measurement is nan"
        if self.kind in ("exceeds", "falls_below"):
            sign = 1 if self.kind == "exceeds" else -1
            if sign * (value - self.bound) > self.noise:
                return REPRODUCED, ""
            if abs(value - self.bound) <= self.noise:
                return NOT_REPRODUCED, f"within the noise (|{fmt.r(value)} - {fmt.r(self.bound)}| <= {fmt.r(self.noise)})"
            return NOT_REPRODUCED, "the effect points the other way"
        if self.kind == "equivalent":
            lo, hi = self.bound
            if lo <= value - self.noise and value + self.noise <= hi:
                return REPRODUCED, ""
            if value + self.noise < lo or value - self.noise > hi:
                return NOT_REPRODUCED, ""
            return INCONCLUSIVE, f"{fmt.r(value)} ± {fmt.r(self.noise)} is too uncertain to show equivalence within [{fmt.r(lo)}, {fmt.r(hi)}]"
        if self.kind == "no_harm":
            if value + self.noise <= self.bound:
                return REPRODUCED, ""
            if value - self.noise > self.bound:
                return NOT_REPRODUCED, ""
            return INCONCLUSIVE, f"harm of {fmt.r(value)} ± {fmt.r(self.noise)} cannot be told from the margin {fmt.r(self.bound)}"
        if self._meets(value, self.bound):
            return REPRODUCED, ""
        if self.partly is not None and self._meets(value, self.partly):
            return PARTLY, ""
        return NOT_REPRODUCED, ""

    def _judge_estimate(self, est: Estimate) -> tuple[str, str]:
        interval = f"[{fmt.r(est.low)}, {fmt.r(est.high)}]"
        if self.kind == "is_true":
            raise TypeError("is_true judges a bool, not an Estimate")
        if est.underpowered:
            return INCONCLUSIVE, f"underpowered: n={est.n} < {est.min_n} ({est.method})"
        if self.kind in ("exceeds", "falls_below"):
            past = est.low > self.bound if self.kind == "exceeds" else est.high < self.bound
            if past:
                return REPRODUCED, ""
            if est.low <= self.bound <= est.high:
                return NOT_REPRODUCED, f"the {est.level:.0%} interval {interval} contains {fmt.r(self.bound)}: within noise"
            return NOT_REPRODUCED, "the effect points the other way"
        if self.kind == "equivalent":
            lo, hi = self.bound
            if lo <= est.low and est.high <= hi:
                return REPRODUCED, ""
            if est.high < lo or est.low > hi:
                return NOT_REPRODUCED, ""
            return INCONCLUSIVE, f"the {est.level:.0%} interval {interval} is too wide to show equivalence within [{fmt.r(lo)}, {fmt.r(hi)}]"
        if self.kind == "no_harm":
            if est.high <= self.bound:
                return REPRODUCED, ""
            if est.low > self.bound:
                return NOT_REPRODUCED, ""
            return INCONCLUSIVE, f"the {est.level:.0%} interval {interval} straddles the margin {fmt.r(self.bound)}"
        if self.null is not None and est.low <= self.null <= est.high:
            return NOT_REPRODUCED, f"the {est.level:.0%} interval {interval} contains the null value {fmt.r(self.null)}"
        if self._interval_meets(est, self.bound):
            return REPRODUCED, ""
        if self._meets(est.center, self.bound):
            return PARTLY, f"the {est.center_name} meets the bound, the {est.level:.0%} interval {interval} does not"
        if self.partly is not None and self._interval_meets(est, self.partly):
            return PARTLY, ""
        return NOT_REPRODUCED, ""

    def verdict(self, value: float | bool | Estimate | None) -> str:
        return NOT_RUN if value is None else self.judge(value)[0]

    # -- text --------------------------------------------------------------------------------------
    def text(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.kind == "is_true":
            return "holds"
        if self.kind in ("exceeds", "falls_below"):
            sym = ">" if self.kind == "exceeds" else "<"
            noise = "its interval" if self.noise is None else f"noise {fmt.r(self.noise)}"
            return f"{sym} {fmt.r(self.bound)}{u} beyond {noise} (direction only)"
        if self.kind == "no_harm":
            return f"harm <= {fmt.r(self.bound)}{u} beyond noise (no-harm)"
        if self.kind == "equivalent":
            return f"within [{fmt.r(self.bound[0])}, {fmt.r(self.bound[1])}]{u} including noise (equivalence)"
        if self.kind == "between":
            s = f"in [{fmt.r(self.bound[0])}, {fmt.r(self.bound[1])}]{u}"
            if self.partly is not None:
                s += f" (partly: [{fmt.r(self.partly[0])}, {fmt.r(self.partly[1])}])"
        else:
            sym = ">=" if self.kind == "at_least" else "<="
            s = f"{sym} {fmt.r(self.bound)}{u}"
            if self.partly is not None:
                s += f" (partly: {sym} {fmt.r(self.partly)})"
        if self.null is not None:
            s += f"; null {fmt.r(self.null)}"
        return s

    def as_dict(self) -> dict:
        return {"kind": self.kind, "bound": self.bound, "partly": self.partly, "null": self.null, "noise": self.noise}

    @classmethod
    def from_dict(cls, d: dict) -> Criterion:
        tup = lambda b: tuple(b) if isinstance(b, list) else b
        return cls(d["kind"], tup(d.get("bound")), tup(d.get("partly")), d.get("null"), d.get("noise"))


def _num(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    return float(x)


def at_least(bound: float, partly: float | None = None, *, null: float | None = None) -> Criterion:
    """Value >= ``bound`` (``partly``: a looser lower bound; ``null``: the no-effect value)."""
    return Criterion("at_least", _num(bound, "bound"), None if partly is None else _num(partly, "partly"),
                     None if null is None else _num(null, "null"))


def at_most(bound: float, partly: float | None = None, *, null: float | None = None) -> Criterion:
    """Value <= ``bound`` (``partly``: a looser upper bound; ``null``: the no-effect value)."""
    return Criterion("at_most", _num(bound, "bound"), None if partly is None else _num(partly, "partly"),
                     None if null is None else _num(null, "null"))


def between(low: float, high: float, partly: tuple[float, float] | None = None, *, null: float | None = None) -> Criterion:
    """``low <= value <= high``."""
    return Criterion("between", (_num(low, "low"), _num(high, "high")),
                     None if partly is None else tuple(_num(p, "partly") for p in partly),
                     None if null is None else _num(null, "null"))


def is_true() -> Criterion:
    """A yes/no fact (a bool measurement)."""
    return Criterion("is_true")


def exceeds(null: float = 0.0, *, noise: float | None = None) -> Criterion:
    """Direction only: the value lies above ``null`` by more than its noise (``noise=`` for a single value)."""
    return Criterion("exceeds", _num(null, "null"), noise=None if noise is None else _num(noise, "noise"))


def falls_below(null: float = 0.0, *, noise: float | None = None) -> Criterion:
    """Direction only: the value lies below ``null`` by more than its noise."""
    return Criterion("falls_below", _num(null, "null"), noise=None if noise is None else _num(noise, "noise"))


def equivalent(low: float, high: float, *, noise: float | None = None) -> Criterion:
    """As good as: the whole interval (or value ± ``noise``) lies inside ``[low, high]`` (two one-sided tests);
    wholly outside is ``not reproduced``, straddling a bound is ``inconclusive``."""
    return Criterion("equivalent", (_num(low, "low"), _num(high, "high")),
                     noise=None if noise is None else _num(noise, "noise"))


def no_harm(margin: float, *, noise: float | None = None) -> Criterion:
    """No harm: the harm (positive = worse) is at most ``margin`` beyond its noise; inside the noise it is
    ``inconclusive``, clearly past the margin ``not reproduced``."""
    return Criterion("no_harm", _num(margin, "margin"), noise=None if noise is None else _num(noise, "noise"))
