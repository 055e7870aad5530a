"""The claims scorecard, version 2: every row has a kind, gates come first, verdicts are computed.

    card = Scorecard("emdqn", budget=BUDGET, seeds=SEEDS, data="SparseGoalGrid 8x8")
    card.gate("G1", "DQN's greedy return reaches 90 % of the optimum", paper="n/a",
              measured=0.97, criterion=at_least(0.9))
    card.claim("C1", "EMDQN needs fewer interactions than DQN", paper="1/5 of DQN's frames",
               measured=paired_comparison(emdqn_steps, dqn_steps, min_n=8),
               criterion=falls_below(0.0), depends_on=["G1"])
    card.check("T2", "the memory's hit rate is 0 on CartPole", paper="-", measured=0.0,
               criterion=at_most(0.01))
    card.show(); card.save()

Row kinds (``../shared/VERDICTS.md`` section 1): ``claim`` (a statement of the paper judged by our
measurement), ``number`` (a value the paper reports, compared with ours), ``gate`` (a precondition: does
the experiment work at all?), ``check`` (our own consistency check; a model compared with itself is always
a check). A row that declares ``depends_on`` gates is ``inconclusive`` when any of them is not
``reproduced``, whatever its value. A measured :class:`~paperlab.core.estimates.Estimate` is judged on its
interval; below its ``min_n`` it is ``inconclusive (underpowered)``. ``measured=None`` means "not run at this
budget" and must name the budget where it runs (``runs_at``) and the code that runs it (``code``);
:meth:`Scorecard.not_implemented` records an experiment with no code yet.

``save()`` writes ``results/<paper>/claims-<budget>.json`` at the lab and paper budgets (refusing a dirty
tree, see :func:`paperlab.core.provenance.save_result`) and ``build/results/<paper>/`` at smoke.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import paperlab
from paperlab.core import budget as budget_mod
from paperlab.core import fmt, provenance
from paperlab.core.criteria import (  # noqa: F401  (re-exported: notebooks import criteria from here)
    INCONCLUSIVE,
    NOT_IMPLEMENTED,
    NOT_REPRODUCED,
    NOT_RUN,
    PARTLY,
    REPRODUCED,
    VERDICTS,
    Criterion,
    at_least,
    at_most,
    between,
    equivalent,
    exceeds,
    falls_below,
    is_true,
    no_harm,
)
from paperlab.core.estimates import Estimate

KINDS = ("claim", "number", "gate", "check")
#: What a row's value is: one computed value, repeated timings (>= 7 interleaved repeats) or a seed comparison.
MEASURES = ("value", "timing", "seeds")
MIN_TIMING_REPEATS = 7
PAPER_KINDS = ("claim", "number")
BUDGETS_TO_RUN = ("lab", "paper")
SCHEMA = 2


@dataclass
class ClaimRow:
    """One scorecard row. ``gates`` are the gate rows it depends on (resolved by the scorecard)."""

    id: str
    kind: str
    claim: str
    paper: str
    measured: float | bool | Estimate | None
    criterion: Criterion | None
    unit: str = ""
    spread: float | None = None
    note: str = ""
    gates: list[ClaimRow] = field(default_factory=list)
    runs_at: str | None = None
    code: str | None = None
    implemented: bool = True
    measure: str = "value"

    def judged(self) -> tuple[str, str]:
        """``(verdict, reason)``: gates first, then the power of the sample, then the criterion."""
        if not self.implemented:
            return NOT_IMPLEMENTED, "no code yet"
        if self.measured is None:
            return NOT_RUN, f"runs at the {self.runs_at} budget ({self.code})"
        failed = [g for g in self.gates if g.verdict != REPRODUCED]
        if failed:
            return INCONCLUSIVE, "; ".join(
                f"gate {g.id} failed: {g.claim} ({g.measured_text()}, {g.verdict})" for g in failed
            )
        if self.measure == "timing":
            n = self.measured.n if isinstance(self.measured, Estimate) else 1
            if n < MIN_TIMING_REPEATS:
                return INCONCLUSIVE, f"underpowered: {n} timing draw(s) < {MIN_TIMING_REPEATS} interleaved repeats"
        if self.measure == "seeds" and not isinstance(self.measured, Estimate):
            return INCONCLUSIVE, "underpowered: a seed comparison without its per-seed values, n and interval method"
        return self.criterion.judge(self.measured)

    @property
    def verdict(self) -> str:
        return self.judged()[0]

    @property
    def reason(self) -> str:
        return self.judged()[1]

    @property
    def center(self) -> float | bool | None:
        return self.measured.center if isinstance(self.measured, Estimate) else self.measured

    def measured_text(self) -> str:
        """The value rounded, with its interval or spread and unit (never a raw float)."""
        return measured_text(self.as_dict())

    def verdict_text(self) -> str:
        verdict, reason = self.judged()
        return f"{verdict} ({reason})" if verdict == INCONCLUSIVE and reason else verdict

    def as_dict(self) -> dict:
        verdict, reason = self.judged()
        return {
            "id": self.id,
            "kind": self.kind,
            "claim": self.claim,
            "paper": self.paper,
            "measured": self.center,
            "estimate": self.measured.as_dict() if isinstance(self.measured, Estimate) else None,
            "spread": self.spread,
            "unit": self.unit,
            "criterion": self.criterion.text(self.unit) if self.criterion else "",
            "criterion_spec": self.criterion.as_dict() if self.criterion else None,
            "verdict": verdict,
            "reason": reason,
            "depends_on": [g.id for g in self.gates],
            "measure": self.measure,
            "runs_at": self.runs_at if self.measured is None and self.implemented else None,
            "code": self.code if self.measured is None and self.implemented else None,
            "note": self.note,
        }


def measured_text(row: dict) -> str:
    """Human text of a saved row's measurement: rounded value, interval or spread, unit."""
    m = row.get("measured")
    if m is None:
        return "—"
    if isinstance(m, bool):
        return "yes" if m else "no"
    s = fmt.r(m)
    est = row.get("estimate")
    if est:
        lo, hi = est["low"], est["high"]
        if math.isfinite(lo) or math.isfinite(hi):
            s += f" [{fmt.r(lo)}, {fmt.r(hi)}]"
        s += f" (n={est['n']})"
    elif row.get("spread") is not None:
        s += f" ± {fmt.r(row['spread'])}"
    return s + (f" {row['unit']}" if row.get("unit") else "")


def _as_measured(measured):
    if measured is None or isinstance(measured, bool | Estimate):
        return measured
    if isinstance(measured, int | float):
        return float(measured)
    try:
        return float(measured)
    except (TypeError, ValueError):
        raise TypeError(
            f"measured must be a number, a bool, an Estimate or None, got {type(measured).__name__}"
        ) from None


@dataclass
class Scorecard:
    """Collects rows for one paper at one budget and writes them with provenance."""

    paper: str
    budget: str | None = None
    seeds: list[int] = field(default_factory=list)
    data: str = ""
    rows: list[ClaimRow] = field(default_factory=list)
    started: float = field(default_factory=lambda: paperlab.IMPORTED_AT_WALL)

    def __post_init__(self) -> None:
        if not self.paper or not self.paper.replace("_", "").isalnum():
            raise ValueError(f"paper must be a series name such as 'namsg', got {self.paper!r}")
        self.budget = budget_mod.resolve(self.budget)

    def _row(self, id: str) -> ClaimRow | None:
        return next((r for r in self.rows if r.id == id), None)

    def add(
        self,
        id: str,
        claim: str,
        *,
        kind: str,
        paper: str,
        measured: float | bool | Estimate | None,
        criterion: Criterion,
        unit: str = "",
        spread: float | None = None,
        note: str = "",
        depends_on: list[str] | tuple[str, ...] = (),
        measure: str = "value",
        runs_at: str | None = None,
        code: str | None = None,
    ) -> ClaimRow:
        """Add a row of ``kind`` (claim, number, gate or check: no default).

        ``depends_on`` names gate rows added earlier. ``measure="timing"`` rows need an Estimate of >= 7
        interleaved repeats, ``measure="seeds"`` rows an Estimate from a paired seed comparison; otherwise
        they read ``inconclusive (underpowered)``. ``measured=None`` (not run at this budget) needs
        ``runs_at`` (``lab`` or ``paper``) and ``code`` (a repository path or ``module:function``; default:
        the running notebook).
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
        if not isinstance(criterion, Criterion):
            raise TypeError("criterion must be built with at_least/at_most/between/is_true/exceeds/falls_below/no_harm")
        if self._row(id) is not None:
            raise ValueError(f"claim id {id!r} is already on the scorecard")
        measured = _as_measured(measured)
        if criterion.kind in ("exceeds", "falls_below", "no_harm", "equivalent") and not isinstance(measured, Estimate | None):
            if criterion.noise is None:
                raise ValueError(
                    f"row {id!r}: a {criterion.kind} criterion on a single value needs noise= (a noise estimate); "
                    "or pass an Estimate with its interval"
                )
        gates = []
        for g in depends_on:
            row = self._row(g)
            if row is None or row.kind != "gate":
                raise ValueError(f"row {id!r} depends on {g!r}, which is not a gate row added before it")
            gates.append(row)
        if measured is None:
            if runs_at not in BUDGETS_TO_RUN:
                raise ValueError(
                    f"row {id!r} is not run at this budget: runs_at must name the budget where it runs "
                    f"({' or '.join(BUDGETS_TO_RUN)}), got {runs_at!r}; use not_implemented() when no code exists"
                )
            code = code or provenance.current_notebook()
        row = ClaimRow(id, kind, claim, paper, measured, criterion, unit, spread, note, gates, runs_at, code,
                       measure=measure)
        self.rows.append(row)
        return row

    def claim(self, id: str, claim: str, **kw) -> ClaimRow:
        """A statement the paper makes, judged by our measurement."""
        return self.add(id, claim, kind="claim", **kw)

    def number(self, id: str, claim: str, **kw) -> ClaimRow:
        """A value the paper reports, compared with ours."""
        return self.add(id, claim, kind="number", **kw)

    def gate(self, id: str, claim: str, **kw) -> ClaimRow:
        """A precondition: does the experiment work at all? Add gates before the rows that depend on them."""
        return self.add(id, claim, kind="gate", **kw)

    def check(self, id: str, claim: str, **kw) -> ClaimRow:
        """Our own consistency check (a model against itself, a closed form, bitwise equality)."""
        return self.add(id, claim, kind="check", **kw)

    def not_implemented(self, id: str, claim: str, *, kind: str, paper: str, note: str = "") -> ClaimRow:
        """An experiment with no code yet (never dressed as a budget question)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if self._row(id) is not None:
            raise ValueError(f"claim id {id!r} is already on the scorecard")
        row = ClaimRow(id, kind, claim, paper, None, None, note=note, implemented=False)
        self.rows.append(row)
        return row

    @property
    def verdicts(self) -> dict[str, str]:
        return {r.id: r.verdict for r in self.rows}

    def markdown(self) -> str:
        lines = [f"**Claims scorecard: {self.paper}** (budget `{self.budget}`)", ""]
        for title, kinds in (("Paper claims", PAPER_KINDS), ("Gates and checks", ("gate", "check"))):
            rows = [r for r in self.rows if r.kind in kinds]
            if not rows:
                continue
            lines += [f"*{title}*", "", "| id | kind | claim | paper | ours | criterion | verdict |",
                      "|---|---|---|---|---|---|---|"]
            for r in rows:
                crit = r.criterion.text(r.unit) if r.criterion else ""
                lines.append(f"| {r.id} | {r.kind} | {r.claim} | {r.paper} | {r.measured_text()} | {crit} | "
                             f"**{r.verdict_text()}** |")
            lines.append("")
        return "\n".join(lines)

    def text(self) -> str:
        rows = [
            {"id": r.id, "kind": r.kind, "ours": r.measured_text(),
             "criterion": r.criterion.text(r.unit) if r.criterion else "", "verdict": r.verdict_text()}
            for r in self.rows
        ]
        return fmt.table(rows)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return self.text()

    def show(self) -> None:
        """Render the table (markdown in Jupyter, text elsewhere), then the reasons and notes."""
        try:
            from IPython.display import Markdown, display

            display(Markdown(self.markdown()))
        except ImportError:  # pragma: no cover
            print(self.text())
        for row in self.rows:
            verdict, reason = row.judged()
            if reason and verdict not in (REPRODUCED, NOT_RUN, NOT_IMPLEMENTED):
                print(f"{row.id} ({verdict}): {reason}")
            if row.note:
                print(f"{row.id}: {row.note}")

    def payload(self) -> dict:
        """The rows and what they were measured on (provenance is added by ``save``)."""
        return {"paper": self.paper, "rows": [r.as_dict() for r in self.rows]}

    def save(self, name: str = "claims") -> Path:
        """Write ``<name>-<budget>.json`` with provenance (a second scorecard: ``name="claims-explore"``)."""
        if not self.rows:
            raise ValueError("the scorecard has no rows; add claims before saving")
        if name != "claims" and not name.startswith("claims-"):
            raise ValueError(f"name must be 'claims' or 'claims-<experiment>', got {name!r}")
        return provenance.save_result(self.paper, name, self.budget, self.payload(), seeds=self.seeds,
                                      data=self.data, started=self.started)
