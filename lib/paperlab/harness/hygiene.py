"""Notebook house rules (CONVENTIONS section 3), as functions that return a list of problems.

``tests/hygiene`` applies them to every committed notebook and proves each rule on a bad notebook.
"""

from __future__ import annotations

import ast
import re

from paperlab.harness.discover import NAME_RULE

FORBIDDEN = {
    r"sys\.path\.(append|insert)|sys\.path\s*=": "edits sys.path (install the package instead)",
    r"^\s*%run\b": "uses %run (import from paperlab instead)",
    r"\.cuda\(\)|device\(\s*['\"]cuda": "hard-codes CUDA (CI has no GPU)",
    r"['\"]/(content|work|home|root|tmp)/": "uses an absolute path (use paperlab.core.paths)",
    r"urllib\.request|requests\.get|wget |curl ": "downloads at run time",
}
WIDGET = re.compile(r"\binteract(ive)?\(|widgets\.\w+\(")


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def literal_assignments_only(source: str) -> bool:
    """True when every statement is ``NAME = <literal>`` (what papermill can override)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets)):
            return False
        try:
            ast.literal_eval(stmt.value)
        except ValueError:
            return False
    return True


def notebook_problems(nb: dict, filename: str) -> list[str]:
    """Every house-rule violation of notebook ``nb`` (a parsed .ipynb dict) named ``filename``."""
    problems = []
    if not NAME_RULE.match(filename):
        problems.append(f"file name {filename!r} must look like NN_name.ipynb (lowercase)")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec name must be 'python3'")
    if "papermill" in nb.get("metadata", {}):
        problems.append("notebook metadata holds papermill output (strip it)")
    cells = nb.get("cells", [])
    code = [c for c in cells if c.get("cell_type") == "code"]
    params = [c for c in cells if "parameters" in _tags(c)]
    if len(params) != 1:
        problems.append(f"needs exactly one cell tagged 'parameters', found {len(params)}")
    elif code and code[0] is not params[0]:
        problems.append("the 'parameters' cell must be the first code cell")
    elif not literal_assignments_only(_source(params[0])):
        problems.append("the 'parameters' cell may hold only literal assignments (NAME = literal)")
    elif "BUDGET" not in _source(params[0]):
        problems.append("the 'parameters' cell must define BUDGET")
    if len(code) > 1 and params and code[0] is params[0] and "nbval-ignore-output" not in _tags(code[1]):
        problems.append(
            "the setup cell (first code cell after 'parameters') must be tagged 'nbval-ignore-output'"
        )
    for i, cell in enumerate(cells):
        tags, src, where = _tags(cell), _source(cell), f"cell {i}"
        if "injected-parameters" in tags:
            problems.append(f"{where}: papermill's injected-parameters cell is committed")
        if "raises-exception" in tags:
            problems.append(f"{where}: 'raises-exception' is not allowed (papermill fails); use try/except")
        if "skip-execution" in tags and "nbval-skip" not in tags:
            problems.append(f"{where}: 'skip-execution' needs 'nbval-skip' too")
        meta = cell.get("metadata", {})
        if "papermill" in meta or "keep_output" in meta:
            problems.append(f"{where}: cell metadata holds papermill or keep_output keys")
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"{where}: committed with outputs or an execution count (run nbstripout)")
        if WIDGET.search(src) and "nbval-ignore-output" not in tags:
            problems.append(f"{where}: widget cells must be tagged 'nbval-ignore-output'")
        for pattern, why in FORBIDDEN.items():
            if re.search(pattern, src, flags=re.MULTILINE):
                problems.append(f"{where}: {why}")
        if src.count("### BEGIN SOLUTION") != src.count("### END SOLUTION"):
            problems.append(f"{where}: unbalanced ### BEGIN/END SOLUTION markers")
    return problems
