"""``paperlab course init DIR``: an nbgrader course with one assignment per series.

The course folder gets ``nbgrader_config.py`` and ``source/<series>/`` holding the series' full notebooks
(solutions, nbgrader metadata, hidden tests). Everything after that is nbgrader's own commands
(``generate_assignment``, ``release_assignment``, ``collect``, ``autograde``, ``generate_feedback``,
``export``); see ``docs/teaching.md``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from paperlab.core import budget as budget_mod
from paperlab.harness import discover, grading

CONFIG = '''"""nbgrader configuration of a paperlab course (written by `paperlab course init`)."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = here

# Autograding (and `nbgrader validate`) runs every notebook of a submission at this paperlab budget:
# notebooks resolve BUDGET = None through $PAPERLAB_BUDGET. "smoke" grades a submission in about a
# minute; for take-home runs at "lab" raise the cell timeout below to 900.
os.environ["PAPERLAB_BUDGET"] = {budget!r}
# A failing check(...) raises instead of printing, so nbgrader withholds that test cell's points.
os.environ["PAPERLAB_STRICT_EXERCISES"] = "1"
# Seeded, single-threaded runs, as in the repository's CI.
for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(name, "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

c.Execute.timeout = {timeout}  # seconds per cell
# A local exchange for release_assignment / fetch_assignment / submit / collect on one machine.
c.Exchange.root = os.path.join(here, "exchange")
'''


def series_names() -> list[str]:
    """Series that can become assignments (every notebook folder holding an exercise)."""
    return sorted({discover.series_of(nb) for nb in discover.all_notebooks()} - {"start"})


def assignment_points(series: str) -> int:
    """nbgrader points of a series' assignment (all its notebooks)."""
    import nbformat

    return sum(grading.points(nbformat.read(nb, as_version=4)) for nb in discover.select([series]))


def init(
    root: Path,
    series: list[str] | None = None,
    budget: str = "smoke",
    timeout: int = 120,
    course_id: str = "paperlab",
    force: bool = False,
) -> dict[str, int]:
    """Create the course folder; return ``{assignment: points}``.

    Raises:
        ValueError: unknown series or budget, a non-positive timeout, or an existing course without ``force``.
    """
    budget = budget_mod.resolve(budget)
    if timeout <= 0:
        raise ValueError(f"timeout must be positive seconds, got {timeout}")
    chosen = series or series_names()
    unknown = sorted(set(chosen) - set(series_names()))
    if unknown:
        raise ValueError(f"unknown series {', '.join(unknown)}; choose from {', '.join(series_names())}")
    root = Path(root)
    config = root / "nbgrader_config.py"
    if config.exists() and not force:
        raise ValueError(f"{config} exists; pass --force to overwrite the config and source/")
    root.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG.format(course_id=course_id, budget=budget, timeout=timeout), encoding="utf-8")
    (root / "exchange").mkdir(exist_ok=True)
    (root / "exchange").chmod(0o777)
    points = {}
    for name in chosen:
        target = root / "source" / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for nb in discover.select([name]):
            shutil.copyfile(nb, target / nb.name)
        points[name] = assignment_points(name)
    return points
