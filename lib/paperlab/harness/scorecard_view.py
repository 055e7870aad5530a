"""Read scorecard rows for display: one reader for v1 rows (no ``kind``) and v2 rows (``kind``,
``reason``, ``estimate``), and rounded text for every value shown.

A v1 row is a paper claim. Paper rows (``claim``, ``number``) and gate rows (``gate``, ``check``) are
shown apart (VERDICTS.md section 1).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from paperlab.core import fmt, paths

PAPER_KINDS = ("claim", "number")
GATE_KINDS = ("gate", "check")
KINDS = PAPER_KINDS + GATE_KINDS
# Display order of verdicts (v1 and v2 vocabularies); unknown words sort last.
VERDICT_ORDER = (
    "reproduced",
    "partly",
    "not reproduced",
    "inconclusive",
    "not run at this budget",
    "not implemented",
)


@dataclass(frozen=True)
class Row:
    """One scorecard row as text ready to print."""

    series: str
    id: str
    kind: str  # claim | number | gate | check
    claim: str
    paper: str
    ours: str
    criterion: str
    verdict: str
    reason: str  # v2 ``reason``, else the v1 ``note`` ("" when absent)

    @property
    def is_paper(self) -> bool:
        return self.kind in PAPER_KINDS


def value_text(value, digits: int = 3) -> str:
    """A scalar as short text: floats rounded to ``digits`` significant digits, booleans as yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return fmt.r(value, digits)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(v, digits) for v in value) + "]"
    return str(value)


def estimate_text(est: dict) -> str:
    """``center [low, high] (90 % t, n = 8)`` from a v2 ``estimate`` mapping."""
    if not isinstance(est, dict) or "center" not in est:
        raise ValueError(f"estimate must be a mapping with a 'center', got {est!r}")
    text = value_text(est["center"])
    if est.get("low") is not None and est.get("high") is not None:
        text += f" [{value_text(est['low'])}, {value_text(est['high'])}]"
    detail = []
    level = est.get("level")
    if isinstance(level, int | float) and not isinstance(level, bool) and math.isfinite(level):
        detail.append(f"{level * 100:.0f} %" if level <= 1 else f"{level:.0f} %")
    if est.get("method"):
        detail.append(str(est["method"]))
    if est.get("n") is not None:
        detail.append(f"n = {est['n']}")
    return text + (f" ({', '.join(detail)})" if detail else "")


def read_row(series: str, row: dict) -> Row:
    """Normalise one row of ``claims-*.json``: v1 (no kind, ``note``) or v2 (``kind``, ``reason``,
    ``estimate``)."""
    if not isinstance(row, dict):
        raise TypeError(f"row must be a dict, got {type(row).__name__}")
    kind = row.get("kind") or "claim"
    if kind not in KINDS:
        raise ValueError(f"row {row.get('id')!r} has kind {kind!r}; expected one of {', '.join(KINDS)}")
    if row.get("estimate"):
        ours = estimate_text(row["estimate"])
    else:
        ours = value_text(row.get("measured"))
        if row.get("spread") is not None and ours != "—":
            ours += f" ± {value_text(row['spread'], 2)}"
    if row.get("unit") and ours != "—":
        ours += f" {row['unit']}"
    return Row(
        series=series,
        id=str(row.get("id", "")),
        kind=kind,
        claim=str(row.get("claim", "")),
        paper=value_text(row.get("paper")),
        ours=ours,
        criterion=str(row.get("criterion", "")),
        verdict=str(row.get("verdict", "")),
        reason=str(row.get("reason") or row.get("note") or ""),
    )


def card_files(series: str, budget: str = "lab") -> list[Path]:
    """``results/<series>/claims-<budget>.json`` first, then ``claims-<experiment>-<budget>.json``."""
    base = paths.repo_root() / "results" / series
    return sorted(base.glob(f"claims-{budget}.json")) + sorted(base.glob(f"claims-*-{budget}.json"))


def rows(series: str, budget: str = "lab") -> list[Row]:
    """Every row of the series' committed scorecards at ``budget``."""
    out = []
    for f in card_files(series, budget):
        card = json.loads(f.read_text(encoding="utf-8"))
        out += [read_row(series, r) for r in card.get("rows", [])]
    return out


def verdict_counts(rows_: list[Row]) -> dict[str, int]:
    """``{verdict: count}`` in :data:`VERDICT_ORDER`, unknown verdicts after, zero counts left out."""
    counts: dict[str, int] = {}
    for r in rows_:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    rank = {v: i for i, v in enumerate(VERDICT_ORDER)}
    return dict(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
