"""nbgrader cell metadata written from the exercise markers, and the check that keeps them consistent.

An exercise is a code cell holding ``### BEGIN SOLUTION`` inside ``def <fn>(...)`` followed (within two
cells) by a check cell calling ``check("<series>.<name>", <fn>)``. For nbgrader:

- the exercise cell is an autograded answer: ``solution: true``, ``locked: false``;
- the check cell is an autograded test: ``grade: true``, ``locked: true``, ``points: VISIBLE_POINTS``;
- a hidden-test cell right after the check cell (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``)
  is a second test worth ``HIDDEN_POINTS``. Its code comes from ``classroom/hidden/<series>.py``, one
  section ``# %% <exercise name>`` per exercise, so that re-running :func:`annotate_all` after others edit
  the notebooks restores it; nbgrader removes the block from the student version.

``annotate`` is idempotent: it drops every existing ``nbgrader`` entry and hidden-test cell first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperlab.core import paths

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CHECK_CALL = re.compile(r"""(?<![\w.])check\(\s*["']([\w.]+)["']\s*,\s*([A-Za-z_]\w*)""")
SECTION = re.compile(r"^# %% ([\w.]+)\s*$", flags=re.MULTILINE)
VISIBLE_POINTS = 1
HIDDEN_POINTS = 1
SCHEMA_VERSION = 3
HIDDEN_HEADER = "# Hidden tests: independent cases, run when the assignment is graded."


@dataclass(frozen=True)
class Exercise:
    """Cell positions (indices into ``nb["cells"]``) of one exercise."""

    name: str
    fn: str
    solution: int
    check: int

    @property
    def grade_id(self) -> str:
        return self.name.replace(".", "-")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def read(path: Path) -> Any:
    """A notebook as an nbformat node."""
    import nbformat

    return nbformat.read(path, as_version=4)


def find_exercises(nb: dict) -> list[Exercise]:
    """Exercises of a notebook (a JSON dict), in order."""
    cells = nb["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    found = []
    for pos, i in enumerate(code):
        src = _source(cells[i])
        if BEGIN not in src:
            continue
        for j in code[pos + 1 : pos + 3]:
            for name, fn in CHECK_CALL.findall(_source(cells[j])):
                if re.search(rf"^\s*def {fn}\(", src, flags=re.MULTILINE):
                    found.append(Exercise(name, fn, i, j))
                    break
            else:
                continue
            break
    return found


def _meta(grade_id: str, *, solution: bool, grade: bool, points: int | None = None) -> dict:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _is_hidden_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and HIDDEN_BEGIN in _source(cell)


def hidden_sources(series: str) -> dict[str, str]:
    """Hidden-test code per exercise name from ``classroom/hidden/<series>.py`` (empty if none)."""
    path = paths.repo_root() / "classroom" / "hidden" / f"{series}.py"
    if not path.is_file():
        return {}
    parts = SECTION.split(path.read_text(encoding="utf-8"))
    return {parts[k]: parts[k + 1].strip() + "\n" for k in range(1, len(parts), 2)}


def hidden_cell(ex: Exercise, code: str) -> dict:
    """The hidden-test cell of an exercise (``annotate`` renumbers the cell ids)."""
    source = f"{HIDDEN_HEADER}\n{HIDDEN_BEGIN}\n{code.rstrip()}\n{HIDDEN_END}"
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": f"hidden-{ex.grade_id}"[:64],
        "metadata": {"nbgrader": _meta(f"{ex.grade_id}-hidden", solution=False, grade=True, points=HIDDEN_POINTS)},
        "outputs": [],
        "source": source,
    }


def _node(cell: dict) -> Any:
    import nbformat

    return nbformat.from_dict(cell)


def annotate(nb: dict, hidden: dict[str, str]) -> dict:
    """Rewrite a notebook's nbgrader metadata and hidden-test cells from its markers (in place)."""
    nb["cells"] = [c for c in nb["cells"] if not _source(c).startswith(HIDDEN_HEADER)]  # ours, rewritten below
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("nbgrader", None)
    exercises = find_exercises(nb)
    for ex in exercises:
        nb["cells"][ex.solution]["metadata"]["nbgrader"] = _meta(ex.grade_id, solution=True, grade=False)
        nb["cells"][ex.check]["metadata"]["nbgrader"] = _meta(
            f"{ex.grade_id}-check", solution=False, grade=True, points=VISIBLE_POINTS
        )
    for ex in reversed(exercises):
        if ex.name in hidden:
            nb["cells"].insert(ex.check + 1, _node(hidden_cell(ex, hidden[ex.name])))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = str(i)  # what nbstripout writes: cell ids are positions
    return nb


def points(nb: dict) -> int:
    """Total nbgrader points of a notebook."""
    return sum(c.get("metadata", {}).get("nbgrader", {}).get("points", 0) for c in nb["cells"])


def problems(nb: dict, hidden_required: bool = True) -> list[str]:
    """Disagreements between markers and nbgrader metadata (empty when consistent)."""
    out: list[str] = []
    cells = nb["cells"]
    exercises = find_exercises(nb)
    solution_cells = {ex.solution: ex for ex in exercises}
    check_cells = {ex.check: ex for ex in exercises}
    hidden_after = {ex.check + 1: ex for ex in exercises}
    seen_ids: set[str] = set()
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        src = _source(cell) if cell["cell_type"] == "code" else ""  # prose may quote the markers
        where = f"cell {i}"
        if meta is not None:
            gid = meta.get("grade_id", "")
            if gid in seen_ids:
                out.append(f"{where}: duplicate grade_id {gid!r}")
            seen_ids.add(gid)
            if meta.get("schema_version") != SCHEMA_VERSION:
                out.append(f"{where}: nbgrader schema_version must be {SCHEMA_VERSION}")
        if BEGIN in src or END in src:
            if i not in solution_cells:
                out.append(f"{where}: solution markers without a following check(...) cell")
            elif not (meta and meta.get("solution") and not meta.get("grade") and not meta.get("locked")):
                out.append(f"{where}: exercise cell needs nbgrader solution=true, grade=false, locked=false")
            elif src.count(BEGIN) != src.count(END):
                out.append(f"{where}: unbalanced solution markers")
        elif meta and meta.get("solution"):
            out.append(f"{where}: nbgrader solution cell without {BEGIN!r} markers")
        if i in check_cells:
            if not (meta and meta.get("grade") and meta.get("locked") and not meta.get("solution")):
                out.append(f"{where}: check cell needs nbgrader grade=true, locked=true, solution=false")
            elif not meta.get("points", 0) > 0:
                out.append(f"{where}: check cell needs positive points")
        if HIDDEN_BEGIN in src or HIDDEN_END in src:
            ex = hidden_after.get(i)
            if ex is None:
                out.append(f"{where}: hidden tests must directly follow an exercise's check cell")
            elif not (meta and meta.get("grade") and meta.get("locked") and meta.get("points", 0) > 0):
                out.append(f"{where}: hidden-test cell needs nbgrader grade=true, locked=true, points>0")
            elif src.count(HIDDEN_BEGIN) != 1 or src.count(HIDDEN_END) != 1:
                out.append(f"{where}: exactly one hidden-test block per hidden cell")
            elif not re.search(rf"hidden_check\(\s*[\"']{re.escape(ex.name)}[\"']\s*,\s*{ex.fn}\b", src):
                out.append(f"{where}: hidden tests must call hidden_check({ex.name!r}, {ex.fn}, ...)")
        elif meta and meta.get("grade") and i not in check_cells:
            out.append(f"{where}: nbgrader test cell is neither a check cell nor a hidden-test cell")
    if hidden_required:
        for ex in exercises:
            nxt = cells[ex.check + 1] if ex.check + 1 < len(cells) else None
            if nxt is None or not _is_hidden_cell(nxt):
                out.append(f"exercise {ex.name}: no hidden-test cell after its check cell")
    return out


def annotate_all(notebooks: list[Path]) -> list[Path]:
    """Annotate notebooks on disk; return those that changed."""
    import nbformat

    from paperlab.harness import discover

    changed = []
    for path in notebooks:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        before = nbformat.writes(nb)
        annotate(nb, hidden_sources(discover.series_of(path)))
        after = nbformat.writes(nb)
        if after != before:
            path.write_text(after + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def cheat_source(solution_source: str, ex: Exercise) -> str:
    """The exercise cell with its solution replaced by a call of the library's reference (a test fixture
    for the hidden tests: a submission like this must lose the hidden-test points)."""
    import ast

    fn = next(
        n for n in ast.walk(ast.parse(solution_source)) if isinstance(n, ast.FunctionDef) and n.name == ex.fn
    )
    args = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    kwargs = [f"{a.arg}={a.arg}" for a in fn.args.kwonlyargs]
    call = ", ".join(args + kwargs)
    out, skipping = [], False
    for line in solution_source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out += [
                f"{indent}from paperlab.core.exercises import get",
                f"{indent}return get({ex.name!r}).reference({call})",
            ]
            skipping = True
        elif stripped == END:
            skipping = False
        elif not skipping:
            out.append(line)
    return "\n".join(out)


@dataclass
class HiddenCheck:
    notebook: str
    name: str
    solution_passes: bool
    stub_fails: bool
    cheat_fails: bool

    @property
    def ok(self) -> bool:
        return self.solution_passes and self.stub_fails and self.cheat_fails


def _hidden_passes(exercise_source: str, hidden_source: str) -> bool:
    import contextlib
    import io

    namespace: dict = {"__name__": "__exercise__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(exercise_source, "<exercise>", "exec"), namespace)  # noqa: S102 - our own cells
        try:
            exec(compile(hidden_source, "<hidden tests>", "exec"), namespace)  # noqa: S102
        except AssertionError:
            return False
    return True


def verify_hidden(notebooks: list[Path]) -> list[HiddenCheck]:
    """Run every hidden-test cell on the solution (must pass), the stub and the library-calling cheat
    (both must fail), in fresh namespaces without executing the notebooks."""
    import nbformat

    from paperlab.harness import discover
    from paperlab.harness.student import strip_solutions

    out = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for ex in find_exercises(nb):
            nxt = nb.cells[ex.check + 1] if ex.check + 1 < len(nb.cells) else None
            if nxt is None or not _is_hidden_cell(nxt):
                continue
            solution, hidden = nb.cells[ex.solution].source, nxt.source
            out.append(
                HiddenCheck(
                    discover.rel(path),
                    ex.name,
                    solution_passes=_hidden_passes(solution, hidden),
                    stub_fails=not _hidden_passes(strip_solutions(solution), hidden),
                    cheat_fails=not _hidden_passes(cheat_source(solution, ex), hidden),
                )
            )
    return out
