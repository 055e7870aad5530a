"""The claims scorecard: each row states a paper's claim, the paper's value, what we measured and a
criterion; the verdict is computed from the measurement and the criterion, never typed in.

    sc = Scorecard("namsg", budget=BUDGET, seeds=SEEDS)
    sc.add("N1", "2x less computation than Adam (convex)", paper="about 2x",
           measured=12.0, criterion=at_most(15, partly=20), unit="epochs")
    sc.show(); sc.save()

``save()`` writes ``results/<paper>/claims-<budget>.json`` at the lab and paper budgets and
``build/results/<paper>/claims-smoke.json`` at smoke, atomically, with provenance.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import paperlab
from paperlab.core import budget as budget_mod
from paperlab.core import fmt, paths, provenance

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
NOT_RUN = "not run at this budget"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_RUN)


@dataclass(frozen=True)
class Criterion:
    """A falsifiable test of a measured value.

    ``kind`` is one of ``at_least``, ``at_most``, ``between``, ``is_true``. ``partly`` is a looser
    bound of the same kind: a value that misses ``bound`` but meets ``partly`` is ``partly``.
    """

    kind: str
    bound: float | tuple[float, float] | None = None
    partly: float | tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("at_least", "at_most", "between", "is_true"):
            raise ValueError(f"kind must be at_least, at_most, between or is_true, got {self.kind!r}")
        if self.kind == "between":
            for b in (self.bound, self.partly):
                if b is not None and (len(b) != 2 or b[0] > b[1]):
                    raise ValueError(f"between bounds must be (low, high) with low <= high, got {b!r}")
        if self.kind == "at_least" and self.partly is not None and self.partly > self.bound:
            raise ValueError("partly must be looser than bound (partly <= bound for at_least)")
        if self.kind == "at_most" and self.partly is not None and self.partly < self.bound:
            raise ValueError("partly must be looser than bound (partly >= bound for at_most)")

    def _meets(self, value: float, bound) -> bool:
        if self.kind == "at_least":
            return value >= bound
        if self.kind == "at_most":
            return value <= bound
        return bound[0] <= value <= bound[1]

    def verdict(self, value: float | bool | None) -> str:
        if value is None:
            return NOT_RUN
        if self.kind == "is_true":
            return REPRODUCED if bool(value) else NOT_REPRODUCED
        value = float(value)
        if math.isnan(value):
            return NOT_REPRODUCED
        if self._meets(value, self.bound):
            return REPRODUCED
        if self.partly is not None and self._meets(value, self.partly):
            return PARTLY
        return NOT_REPRODUCED

    def text(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.kind == "is_true":
            return "holds"
        if self.kind == "between":
            s = f"in [{fmt.r(self.bound[0])}, {fmt.r(self.bound[1])}]{u}"
            if self.partly is not None:
                s += f" (partly: [{fmt.r(self.partly[0])}, {fmt.r(self.partly[1])}])"
            return s
        sym = ">=" if self.kind == "at_least" else "<="
        s = f"{sym} {fmt.r(self.bound)}{u}"
        if self.partly is not None:
            s += f" (partly: {sym} {fmt.r(self.partly)})"
        return s


def at_least(bound: float, partly: float | None = None) -> Criterion:
    return Criterion("at_least", float(bound), None if partly is None else float(partly))


def at_most(bound: float, partly: float | None = None) -> Criterion:
    return Criterion("at_most", float(bound), None if partly is None else float(partly))


def between(low: float, high: float, partly: tuple[float, float] | None = None) -> Criterion:
    return Criterion(
        "between", (float(low), float(high)), None if partly is None else tuple(map(float, partly))
    )


def is_true() -> Criterion:
    return Criterion("is_true")


@dataclass
class ClaimRow:
    id: str
    claim: str
    paper: str
    measured: float | bool | None
    criterion: Criterion
    unit: str = ""
    spread: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        return self.criterion.verdict(self.measured)

    def measured_text(self) -> str:
        if self.measured is None:
            return "—"
        if isinstance(self.measured, bool):
            return "yes" if self.measured else "no"
        s = fmt.r(self.measured)
        if self.spread is not None:
            s += f" ± {fmt.r(self.spread)}"
        return s + (f" {self.unit}" if self.unit else "")

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "claim": self.claim,
            "paper": self.paper,
            "measured": self.measured,
            "spread": self.spread,
            "unit": self.unit,
            "criterion": self.criterion.text(self.unit),
            "verdict": self.verdict,
            "note": self.note,
        }


@dataclass
class Scorecard:
    """Collects claim rows for one paper at one budget and writes them with provenance."""

    paper: str
    budget: str | None = None
    seeds: list[int] = field(default_factory=list)
    data: str = ""
    rows: list[ClaimRow] = field(default_factory=list)
    started: float = field(default_factory=lambda: paperlab.IMPORTED_AT)

    def __post_init__(self) -> None:
        if not self.paper or not self.paper.replace("_", "").isalnum():
            raise ValueError(f"paper must be a series name such as 'namsg', got {self.paper!r}")
        self.budget = budget_mod.resolve(self.budget)

    def add(
        self,
        id: str,
        claim: str,
        *,
        paper: str,
        measured: float | bool | None,
        criterion: Criterion,
        unit: str = "",
        spread: float | None = None,
        note: str = "",
    ) -> ClaimRow:
        """Add a row. ``measured=None`` means the experiment was not run at this budget."""
        if not isinstance(criterion, Criterion):
            raise TypeError("criterion must be built with at_least/at_most/between/is_true")
        if any(r.id == id for r in self.rows):
            raise ValueError(f"claim id {id!r} is already on the scorecard")
        if measured is not None and not isinstance(measured, bool | int | float):
            try:
                measured = float(measured)
            except (TypeError, ValueError):
                raise TypeError(
                    f"measured must be a number, a bool or None, got {type(measured).__name__}"
                ) from None
        if isinstance(measured, int) and not isinstance(measured, bool):
            measured = float(measured)
        row = ClaimRow(id, claim, paper, measured, criterion, unit, spread, note)
        self.rows.append(row)
        return row

    @property
    def verdicts(self) -> dict[str, str]:
        return {r.id: r.verdict for r in self.rows}

    def markdown(self) -> str:
        lines = [
            f"**Claims scorecard: {self.paper}** (budget `{self.budget}`)",
            "",
            "| id | claim | paper | ours | criterion | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            lines.append(
                f"| {row.id} | {row.claim} | {row.paper} | {row.measured_text()} | "
                f"{row.criterion.text(row.unit)} | **{row.verdict}** |"
            )
        return "\n".join(lines)

    def text(self) -> str:
        rows = [
            {
                "id": r.id,
                "ours": r.measured_text(),
                "criterion": r.criterion.text(r.unit),
                "verdict": r.verdict,
            }
            for r in self.rows
        ]
        return fmt.table(rows)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return self.text()

    def show(self) -> None:
        """Render the table (markdown in Jupyter, text elsewhere) and print notes."""
        try:
            from IPython.display import Markdown, display

            display(Markdown(self.markdown()))
        except ImportError:  # pragma: no cover
            print(self.text())
        for row in self.rows:
            if row.note:
                print(f"{row.id}: {row.note}")

    def to_dict(self) -> dict:
        return {
            "paper": self.paper,
            "budget": self.budget,
            "seeds": list(self.seeds),
            "data": self.data,
            "rows": [r.as_dict() for r in self.rows],
            "git_revision": provenance.git_revision(),
            "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "hardware": provenance.hardware(),
            "wall_time_s": round(time.perf_counter() - self.started, 1),
            "versions": provenance.versions(),
            "notebook": provenance.current_notebook(),
        }

    def save(self) -> Path:
        """Write ``claims-<budget>.json`` atomically (see module docstring for where)."""
        if not self.rows:
            raise ValueError("the scorecard has no rows; add claims before saving")
        target = paths.results_dir(self.paper, self.budget) / f"claims-{self.budget}.json"
        return provenance.write_json_atomic(target, self.to_dict())
