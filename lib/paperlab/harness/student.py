"""Student copies: solutions (nbgrader markers) replaced by ``raise NotImplementedError()``.

``verify()`` checks every exercise without executing whole notebooks: the exercise cell is
self-contained, so its solution and its stub each run in a fresh namespace and the following check
cell's ``check("<name>", fn)`` must pass on the solution and fail on the stub.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from paperlab.core import paths
from paperlab.harness import discover

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CHECK_CALL = re.compile(r"""(?<![\w.])check\(\s*["']([\w.]+)["']\s*,\s*([A-Za-z_]\w*)""")


def strip_solutions(source: str) -> str:
    """Replace each solution block with ``raise NotImplementedError()`` at the marker's indentation,
    and drop hidden-test blocks."""
    out, skipping = [], None
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            skipping = END
        elif stripped == HIDDEN_BEGIN:
            skipping = HIDDEN_END
        elif skipping and stripped == skipping:
            skipping = None
        elif not skipping:
            out.append(line)
    if skipping:
        raise ValueError(f"unterminated block: expected {skipping!r}")
    return "\n".join(out)


def student_dir() -> Path:
    return paths.build_dir() / "student"


def write_student_copies(notebooks: list[Path]) -> list[Path]:
    import nbformat

    written = []
    for nb_path in notebooks:
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and (BEGIN in cell.source or HIDDEN_BEGIN in cell.source):
                cell.source = strip_solutions(cell.source)
        target = student_dir() / discover.rel(nb_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


@dataclass
class ExerciseCheck:
    notebook: str
    name: str
    solution_passes: bool
    stub_fails: bool

    @property
    def ok(self) -> bool:
        return self.solution_passes and self.stub_fails


def _run_check(source: str, name: str, fn_name: str) -> bool:
    from paperlab.core.exercises import check

    namespace: dict = {"__name__": "__exercise__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, f"<exercise {name}>", "exec"), namespace)  # noqa: S102 - our own notebook cell
    if fn_name not in namespace:
        raise ValueError(f"exercise cell for {name} does not define {fn_name}")
    return check(name, namespace[fn_name], quiet=True)


def exercises_in(nb_path: Path) -> list[tuple[str, str, str]]:
    """``(name, function name, solution cell source)`` for each exercise in a notebook."""
    import nbformat

    cells = [c for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == "code"]
    found = []
    for i, cell in enumerate(cells):
        if BEGIN not in cell.source:
            continue
        for later in cells[i + 1 : i + 3]:
            for name, fn_name in CHECK_CALL.findall(later.source):
                if re.search(rf"^\s*def {fn_name}\(", cell.source, flags=re.MULTILINE):
                    found.append((name, fn_name, cell.source))
    return found


def verify(notebooks: list[Path]) -> list[ExerciseCheck]:
    """Check every exercise: the solution passes its check, the stub fails it."""
    import os

    os.environ.pop("PAPERLAB_STRICT_EXERCISES", None)
    results = []
    for nb_path in notebooks:
        for name, fn_name, source in exercises_in(nb_path):
            results.append(
                ExerciseCheck(
                    discover.rel(nb_path),
                    name,
                    solution_passes=_run_check(source, name, fn_name),
                    stub_fails=not _run_check(strip_solutions(source), name, fn_name),
                )
            )
    return results
