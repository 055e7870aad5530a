"""Rules every committed result file obeys (``../shared/VERDICTS.md``), checked by the hygiene tests.

``problems(name, data, root)`` lists what is wrong with one parsed JSON file; the hygiene suite runs it over
every ``results/**/*.json`` (the runner's ``notebook_times.json`` excepted: it records notebook run times,
not results), and each rule has a unit test proving it fails on a bad file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from paperlab.core.claims import KINDS, MIN_TIMING_REPEATS, SCHEMA, VERDICTS
from paperlab.core.criteria import INCONCLUSIVE, NOT_IMPLEMENTED, NOT_RUN

NOT_RESULTS = ("notebook_times.json",)
UNJUDGED = (INCONCLUSIVE, NOT_RUN, NOT_IMPLEMENTED)


def result_files(root: Path) -> list[Path]:
    """Every committed result JSON under ``root/results``."""
    return sorted(p for p in (root / "results").glob("**/*.json") if p.name not in NOT_RESULTS)


def code_path_exists(code: str | None, root: Path) -> bool:
    """``code`` is a repository path that exists, or ``package.module:name`` defined in ``lib/``."""
    if not code:
        return False
    if ":" not in code:
        return (root / code).exists()
    module, name = code.split(":", 1)
    base = root / "lib" / Path(*module.split("."))
    for file in (base.with_suffix(".py"), base / "__init__.py"):
        if file.exists():
            pattern = rf"^(def|class|async def) {re.escape(name)}\b|^{re.escape(name)}\s*[:=]"
            return re.search(pattern, file.read_text(encoding="utf-8"), re.M) is not None
    return False


def provenance_problems(data: dict) -> list[str]:
    out = []
    if data.get("schema") != SCHEMA:
        out.append(f"schema is {data.get('schema')!r}, want {SCHEMA} (write it with provenance.save_result)")
    rev = str(data.get("git_revision", ""))
    if not rev or rev == "unknown" or rev.endswith("-dirty"):
        out.append(f"git_revision {rev!r}: committed results come from a clean commit")
    wall = data.get("wall_time_s")
    if not isinstance(wall, int | float) or wall <= 0:
        out.append(f"wall_time_s {wall!r}: record the real wall time")
    if "seeds" not in data:
        out.append("no seeds recorded")
    return out


def row_problems(row: dict, rows_by_id: dict[str, dict], root: Path) -> list[str]:
    rid = row.get("id", "?")
    out = []
    if row.get("kind") not in KINDS:
        out.append(f"row {rid}: kind {row.get('kind')!r} is not one of {', '.join(KINDS)}")
    verdict = row.get("verdict")
    if verdict not in VERDICTS:
        out.append(f"row {rid}: verdict {verdict!r} is not in the vocabulary")
    for g in row.get("depends_on") or []:
        if g not in rows_by_id:
            out.append(f"row {rid}: depends on gate {g!r}, which is not on the scorecard")
        elif rows_by_id[g].get("kind") != "gate":
            out.append(f"row {rid}: depends on {g!r}, which is a {rows_by_id[g].get('kind')} row, not a gate")
    est = row.get("estimate")
    judged = verdict not in UNJUDGED
    if row.get("measure") == "timing" and judged:
        if not est or len(est.get("values", [])) < MIN_TIMING_REPEATS:
            out.append(f"row {rid}: a timing verdict needs >= {MIN_TIMING_REPEATS} stored repeats")
    if row.get("measure") == "seeds" and judged:
        if not est or not est.get("n") or not est.get("method"):
            out.append(f"row {rid}: a seed comparison states n and its method")
    if verdict == NOT_RUN:
        if row.get("runs_at") not in ("lab", "paper"):
            out.append(f"row {rid}: 'not run at this budget' must name the budget where it runs (runs_at)")
        if not code_path_exists(row.get("code"), root):
            out.append(f"row {rid}: 'not run at this budget' names code {row.get('code')!r} that does not exist")
    if verdict == INCONCLUSIVE and not row.get("reason"):
        out.append(f"row {rid}: an inconclusive row says why (reason)")
    return out


def problems(name: str, data: dict, root: Path) -> list[str]:
    """Everything wrong with one result file (``name`` prefixes each message)."""
    out = provenance_problems(data)
    rows = data.get("rows")
    if Path(name).name.startswith("claims-"):
        if not isinstance(rows, list) or not rows:
            out.append("a scorecard has rows")
            rows = []
        by_id = {r.get("id"): r for r in rows}
        for row in rows:
            out += row_problems(row, by_id, root)
    return [f"{name}: {p}" for p in out]


def all_problems(root: Path) -> list[str]:
    out = []
    for path in result_files(root):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            out.append(f"{path.relative_to(root)}: not valid JSON ({e})")
            continue
        out += problems(path.relative_to(root).as_posix(), data, root)
    return out
