"""The ``paperlab`` command: list, budget, run, student, figures, readme, claims, book, course."""

from __future__ import annotations

import argparse
import sys


def _run(args: argparse.Namespace) -> int:
    from paperlab.core import budget as budget_mod
    from paperlab.harness import discover, report, runner

    budget = budget_mod.resolve(args.budget)  # fails before anything runs or is written
    notebooks = discover.select(args.papers)
    if not notebooks:
        print("no notebooks to run")
        return 0
    print(f"running {len(notebooks)} notebooks at budget {budget} with {args.workers} workers")
    results = runner.run(
        notebooks,
        budget,
        workers=args.workers,
        cell_timeout=args.cell_timeout,
        html=not args.no_html,
        record=args.record,
        notebook_timeout=args.notebook_timeout,
    )
    index = report.write_index(results, budget)
    bad = [r for r in results if r.status != "ok"]
    print(f"{len(results) - len(bad)} of {len(results)} notebooks ok; report: {index}")
    for r in bad:
        print(f"FAILED ({r.status}): {r.notebook}")
    return 1 if bad else 0


def _student(args: argparse.Namespace) -> int:
    from paperlab.harness import discover, student

    notebooks = discover.select(args.papers)
    written = student.write_student_copies(notebooks)
    print(f"wrote {len(written)} student notebooks to {student.student_dir()}")
    if not args.verify:
        return 0
    checks = student.verify(notebooks)
    for c in checks:
        mark = "ok" if c.ok else "FAIL"
        print(
            f"{mark:>4}  {c.name:<32} solution passes: {c.solution_passes}  stub fails: {c.stub_fails}  ({c.notebook})"
        )
    bad = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(bad)} of {len(checks)} exercises verified")
    from paperlab.harness import grading

    hidden = grading.verify_hidden(notebooks)
    for h in hidden:
        mark = "ok" if h.ok else "FAIL"
        print(
            f"{mark:>4}  {h.name:<32} hidden tests: solution passes: {h.solution_passes}  stub fails: "
            f"{h.stub_fails}  library-calling cheat fails: {h.cheat_fails}"
        )
    bad_hidden = [h for h in hidden if not h.ok]
    print(f"{len(hidden) - len(bad_hidden)} of {len(hidden)} hidden-test cells verified")
    return 1 if bad or bad_hidden else 0


def _figures(args: argparse.Namespace) -> int:
    from paperlab.harness import figures

    if args.check:
        problems = figures.problems()
        print("\n".join(problems) or "all figure manifests are present and fresh")
        return 1 if problems else 0
    papers = args.papers or figures.stale_series()
    if not papers:
        print("no stale figures; name a series to regenerate it anyway")
        return 0
    args.papers, args.budget = papers, "lab"
    return _run(args)


def _readme(args: argparse.Namespace) -> int:
    from paperlab.harness import readme

    if args.check:
        text = readme.readme_path().read_text(encoding="utf-8")
        if readme.render(text) != text:
            print("README.md is out of date: run `paperlab readme`")
            return 1
        print("README.md is up to date")
        return 0
    print("README.md updated" if readme.update() else "README.md already up to date")
    return 0


def _book(args: argparse.Namespace) -> int:
    from pathlib import Path

    from paperlab.harness import book

    if args.manifests:
        written = book.write_screenshot_manifests(Path(args.manifests))
        print(f"wrote {len(written)} screenshot manifests in {args.manifests}")
        return 0
    if args.sources_only:
        print(f"book sources: {book.write_sources()}")
        return 0
    index, seconds = book.build(args.sphinx, quiet=not args.verbose)
    print(f"book built in {seconds:.1f} s: {index}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from paperlab.harness import discover

    for nb in discover.all_notebooks():
        print(f"{discover.series_of(nb):<12} {discover.rel(nb)}")
    return 0


def _budget(args: argparse.Namespace) -> int:
    from paperlab.core import budget

    print(budget.resolve(args.budget))
    return 0


def _claims(args: argparse.Namespace) -> int:
    from paperlab.harness import readme

    print(readme.scorecard())
    return 0


def _course(args: argparse.Namespace) -> int:
    from pathlib import Path

    from paperlab.harness import course, discover, grading

    if args.action == "init":
        if len(args.target) != 1:
            raise ValueError("usage: paperlab course init DIR [--series NAME ...]")
        points = course.init(
            Path(args.target[0]), args.series, budget=args.budget, timeout=args.timeout, force=args.force
        )
        for name, pts in points.items():
            print(f"assignment {name:<12} {pts:>3} points")
        print(f"nbgrader course in {args.target[0]}: cd there and run `nbgrader generate_assignment <series>`")
        return 0
    notebooks = discover.select(args.target)
    if args.action == "annotate":
        changed = grading.annotate_all(notebooks)
        print(f"nbgrader metadata: {len(changed)} of {len(notebooks)} notebooks changed")
        return 0
    problems = [
        f"{discover.rel(nb)}: {p}" for nb in notebooks for p in grading.problems(grading.read(nb))
    ]
    hidden = [h for h in grading.verify_hidden(notebooks) if not h.ok]
    problems += [f"{h.notebook}: hidden tests of {h.name} do not tell solution, stub and cheat apart" for h in hidden]
    print("\n".join(problems) or "nbgrader metadata and hidden tests are consistent")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def runner_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("papers", nargs="*", help="series names or notebook paths (default: all)")
        p.add_argument("--workers", type=int, default=2)
        p.add_argument(
            "--cell-timeout", type=int, default=None, help="seconds per cell (default: the budget's notebook limit)"
        )
        p.add_argument("--no-html", action="store_true")
        p.add_argument(
            "--notebook-timeout",
            type=float,
            default=None,
            help="seconds before a hung notebook is killed and retried once (default by budget)",
        )
        p.add_argument(
            "--record", action="store_true", help="store times in results/<series>/notebook_times.json"
        )

    p = sub.add_parser("run", help="execute notebooks with papermill into build/reports/")
    runner_args(p)
    p.add_argument("--budget", default=None, help="smoke | lab | paper (default: $PAPERLAB_BUDGET, else lab)")
    p.set_defaults(func=_run)

    p = sub.add_parser("figures", help="re-run series whose committed figures are stale, at the lab budget")
    runner_args(p)
    p.add_argument("--check", action="store_true", help="only list stale or orphaned figures")
    p.set_defaults(func=_figures)

    p = sub.add_parser("student", help="write student copies to build/student/")
    p.add_argument("papers", nargs="*")
    p.add_argument("--verify", action="store_true", help="check each exercise: stub fails, solution passes")
    p.set_defaults(func=_student)

    p = sub.add_parser("readme", help="regenerate the README's notebook map and scorecard")
    p.add_argument("--check", action="store_true")
    p.set_defaults(func=_readme)

    p = sub.add_parser("book", help="build the book (build/book/html) from the executed notebooks")
    p.add_argument("--sphinx", default=".venv-book/bin/sphinx-build", help="sphinx-build of the book env")
    p.add_argument("--sources-only", action="store_true", help="write build/book/src without building")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--manifests", metavar="DIR", help="only write manifests for the screenshots in DIR")
    p.set_defaults(func=_book)
    p = sub.add_parser("course", help="nbgrader: `init DIR` a course; `annotate`/`check` notebook metadata")
    p.add_argument("action", choices=["init", "annotate", "check"])
    p.add_argument("target", nargs="*", help="init: the course folder; annotate/check: series (default all)")
    p.add_argument("--series", nargs="+", default=None, help="init: assignments to create (default all)")
    p.add_argument("--budget", default="smoke", help="init: budget for autograding (default smoke)")
    p.add_argument("--timeout", type=int, default=120, help="init: seconds per cell when autograding")
    p.add_argument("--force", action="store_true", help="init: overwrite an existing course's config")
    p.set_defaults(func=_course)

    sub.add_parser("list", help="list notebooks").set_defaults(func=_list)
    sub.add_parser("claims", help="print the lab scorecards").set_defaults(func=_claims)
    p = sub.add_parser("budget", help="print the resolved budget (fails on an unknown name)")
    p.add_argument("--budget", default=None)
    p.set_defaults(func=_budget)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:
        print(f"paperlab: error: {err}", file=sys.stderr)
        return 2
