"""``build/reports/index.html``: every notebook with its status and time, then the claims scorecards."""

from __future__ import annotations

import html
import json
from pathlib import Path

from paperlab.core import paths
from paperlab.core.claims import PAPER_KINDS, measured_text
from paperlab.harness import discover
from paperlab.harness.readme import verdict_text
from paperlab.harness.runner import RunResult, reports_dir


def scorecards(budget: str) -> list[dict]:
    """All ``claims-<budget>.json`` files for ``budget`` (results/ at lab/paper, build/results at smoke)."""
    base = paths.results_dir("x", budget).parent
    files = sorted(base.glob(f"*/claims-{budget}.json")) + sorted(base.glob(f"*/claims-*-{budget}.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def write_index(results: list[RunResult], budget: str) -> Path:
    by_nb = {r.notebook: r for r in results}
    rows = []
    for nb in discover.all_notebooks():
        key = discover.rel(nb)
        r = by_nb.get(key)
        link = Path(key).with_suffix(".html").as_posix()
        status = r.status if r else "not run"
        wall = f"{r.wall_s:.1f}" if r else ""
        rows.append(
            f"<tr class='{status.replace(' ', '-')}'><td><a href='{html.escape(link)}'>{html.escape(key)}</a></td>"
            f"<td>{status}</td><td>{wall}</td><td>{html.escape(r.error[:300]) if r else ''}</td></tr>"
        )
    cards = []
    for card in scorecards(budget):
        lines = "".join(
            f"<tr><td>{html.escape(row['id'])}</td><td>{html.escape(str(row.get('kind', '')))}</td>"
            f"<td>{html.escape(row['claim'])}</td><td>{html.escape(str(row['paper']))}</td>"
            f"<td>{html.escape(measured_text(row))}</td><td>{html.escape(row['criterion'])}</td>"
            f"<td><b>{html.escape(verdict_text(row, limit=400))}</b></td></tr>"
            for row in sorted(card["rows"], key=lambda r: r.get("kind") not in PAPER_KINDS)
        )
        cards.append(
            f"<h3>{html.escape(card['paper'])}</h3><table><tr><th>id</th><th>kind</th><th>claim</th><th>paper</th>"
            f"<th>ours</th><th>criterion</th><th>verdict</th></tr>{lines}</table>"
        )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>paperlab reports ({budget})</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:4px 8px;border-bottom:1px solid #ddd}}
.failed,.over-budget{{background:#fdd}} .ok{{background:#efe}}</style></head><body>
<h1>paperlab: executed notebooks at the <code>{budget}</code> budget</h1>
<table><tr><th>notebook</th><th>status</th><th>wall s</th><th>error</th></tr>{"".join(rows)}</table>
<h2>Claims scorecards</h2>{"".join(cards) or "<p>No scorecards at this budget yet.</p>"}
</body></html>
"""
    target = reports_dir() / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
