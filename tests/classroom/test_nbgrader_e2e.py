"""nbgrader end to end: two series as assignments, three submissions each, autograded with real nbgrader.

Runs in the instructors' environment (`make classroom-test`, part of `make test`); skipped where
nbgrader is not installed (the CI environment `.venv` deliberately lacks it).

Submissions per assignment: ``solution`` (the release version with the solutions filled in),
``stubs`` (the release version as students get it) and ``cheat`` (each exercise returns the library's
reference). Expected: full marks; zero on every test cell with the rest of every notebook executing;
every check cell passed and every hidden-test cell failed. Each series gets its own course folder so the
two run in parallel. Autograde wall and CPU times per submission go to ``build/classroom/autograde_times.json``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

import nbformat  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from paperlab.core import paths  # noqa: E402
from paperlab.harness import course, grading  # noqa: E402

SERIES = ("swtvm", "swcaffe")
STUDENTS = ("solution", "stubs", "cheat")


def nbgrader(root: Path, *args: str) -> dict[str, float]:
    """Run an nbgrader command in the course folder; return its wall and CPU seconds (kernels included)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PAPERLAB_BUDGET", None)  # the course's nbgrader_config.py must set it
    env.pop("PAPERLAB_STRICT_EXERCISES", None)
    log = root / f"nbgrader-{args[0]}.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)  # rusage of nbgrader and the kernels it waited for
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log.read_text()}"
    return {"wall_s": round(time.perf_counter() - start, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1)}


def submission(root: Path, series: str, student: str) -> None:
    """Write ``submitted/<student>/<series>/`` from the release version (as a student would fetch it)."""
    target = root / "submitted" / student / series
    target.mkdir(parents=True)
    for released in sorted((root / "release" / series).glob("*.ipynb")):
        nb = nbformat.read(released, as_version=4)
        source = nbformat.read(root / "source" / series / released.name, as_version=4)
        solutions = {ex.grade_id: (ex, source.cells[ex.solution].source) for ex in grading.find_exercises(source)}
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions and student != "stubs":
                ex, solved = solutions[gid]
                cell.source = solved if student == "solution" else grading.cheat_source(solved, ex)
        nbformat.write(nb, target / released.name)
    (target / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC\n")


def grade_series(root: Path, series: str) -> dict:
    """One course per series (so the two run in parallel without sharing a gradebook)."""
    points = course.init(root, [series])
    nbgrader(root, "generate_assignment", series, "--force")
    for student in STUDENTS:
        submission(root, series, student)
    times = {student: nbgrader(root, "autograde", series, "--student", student) for student in STUDENTS}
    nbgrader(root, "generate_feedback", series)
    nbgrader(root, "export")
    return {"root": root, "points": points[series], "autograde": times}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("courses")
    start = time.perf_counter()
    with ThreadPoolExecutor(len(SERIES)) as pool:
        done = dict(zip(SERIES, pool.map(lambda s: grade_series(base / s, s), SERIES), strict=True))
    out = paths.build_dir() / "classroom"
    out.mkdir(parents=True, exist_ok=True)
    report = {s: done[s]["autograde"] for s in SERIES} | {"all_wall_s": round(time.perf_counter() - start, 1)}
    (out / "autograde_times.json").write_text(json.dumps(report, indent=1) + "\n")
    for s in SERIES:
        shutil.copyfile(done[s]["root"] / "grades.csv", out / f"grades-{s}.csv")
    return done


def grades(root: Path, series: str, student: str) -> dict[str, tuple[float, float]]:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(series, student)
        return {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}


@pytest.mark.parametrize("series", SERIES)
def test_solution_gets_full_marks(graded, series):
    root, points = graded[series]["root"], graded[series]["points"]
    got = grades(root, series, "solution")
    assert got and all(score == top for score, top in got.values()), got
    assert sum(top for _, top in got.values()) == points


@pytest.mark.parametrize("series", SERIES)
def test_stubs_get_zero_and_the_rest_runs(graded, series):
    root = graded[series]["root"]
    got = grades(root, series, "stubs")
    assert got and all(score == 0 for score, _ in got.values()), got
    for path in sorted((root / "autograded" / "stubs" / series).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            assert cell.execution_count is not None, f"{path.name}: a cell did not run"
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{path.name}: {errors[0].ename} outside a test cell:\n{cell.source}"


@pytest.mark.parametrize("series", SERIES)
def test_library_calling_cheat_loses_the_hidden_points(graded, series):
    root = graded[series]["root"]
    got = grades(root, series, "cheat")
    checks = {k: v for k, v in got.items() if k.endswith("-check")}
    hidden = {k: v for k, v in got.items() if k.endswith("-hidden")}
    assert checks and all(score == top for score, top in checks.values()), checks
    assert hidden and all(score == 0 for score, _ in hidden.values()), hidden


@pytest.mark.parametrize("series", SERIES)
def test_feedback_and_export(graded, series):
    root, points = graded[series]["root"], graded[series]["points"]
    for student in STUDENTS:
        names = sorted(p.stem for p in (root / "source" / series).glob("*.ipynb"))
        html = sorted(p.stem for p in (root / "feedback" / student / series).glob("*.html"))
        assert html == names
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == series}
    assert float(rows["solution"]["score"]) == points
    assert float(rows["stubs"]["score"]) == 0
    assert float(rows["cheat"]["score"]) == points / 2
