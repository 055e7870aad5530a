"""Find the project's notebooks and name them by series."""

from __future__ import annotations

import re
from pathlib import Path

from paperlab.core import paths

NAME_RULE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def all_notebooks() -> list[Path]:
    """Every committed notebook under ``notebooks/`` (checkpoints excluded), sorted."""
    root = paths.notebooks_dir()
    return sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def series_of(notebook: Path) -> str:
    """``namsg`` for ``notebooks/namsg/03_reproduce.ipynb``; ``start`` for top-level notebooks."""
    rel = notebook.resolve().relative_to(paths.notebooks_dir().resolve())
    return rel.parts[0] if len(rel.parts) > 1 else "start"


def rel(notebook: Path) -> str:
    """Repository-relative POSIX path."""
    return notebook.resolve().relative_to(paths.repo_root().resolve()).as_posix()


def select(papers: list[str] | None) -> list[Path]:
    """Notebooks of the named series, or single notebooks given by path (all when ``papers`` is empty)."""
    books = all_notebooks()
    if not papers:
        return books
    by_path = {rel(b): b for b in books}
    known = sorted({series_of(b) for b in books})
    unknown = [p for p in papers if p not in known and p not in by_path]
    if unknown:
        raise ValueError(f"unknown series or notebook {', '.join(unknown)}; series: {', '.join(known)}")
    return [b for b in books if series_of(b) in papers or rel(b) in papers]
