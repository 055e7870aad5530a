"""Where things live. Notebooks never use relative paths: nbval runs them from build/executed/.

``repo_root()`` walks up from the working directory, then from this file, to the ``pyproject.toml``
that names paperlab.
"""

from __future__ import annotations

import os
from pathlib import Path


def _is_root(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    return pyproject.is_file() and 'name = "paperlab"' in pyproject.read_text(encoding="utf-8")


def repo_root() -> Path:
    """The repository root (folder holding paperlab's pyproject.toml)."""
    env = os.environ.get("PAPERLAB_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for candidate in (start, *start.parents):
            if _is_root(candidate):
                return candidate
    raise FileNotFoundError(
        "cannot find the paperlab repository root (a pyproject.toml naming paperlab); "
        "set PAPERLAB_ROOT to the checkout"
    )


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def build_dir() -> Path:
    """Git-ignored outputs: executed notebooks, HTML reports, smoke figures and results."""
    return repo_root() / "build"


def figures_dir(paper: str, budget: str) -> Path:
    """``figures/<paper>`` at the lab and paper budgets, ``build/figures/<paper>`` at smoke."""
    base = repo_root() / "figures" if budget in ("lab", "paper") else build_dir() / "figures"
    return base / paper


def results_dir(paper: str, budget: str) -> Path:
    """``results/<paper>`` at the lab and paper budgets, ``build/results/<paper>`` at smoke."""
    base = repo_root() / "results" if budget in ("lab", "paper") else build_dir() / "results"
    return base / paper


def cache_dir() -> Path:
    """Per-user cache for downloaded data and trained checkpoints (``~/.cache/paperlab``)."""
    env = os.environ.get("PAPERLAB_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "paperlab"


def data_dirs() -> list[Path]:
    """Folders searched for real data files, in order: ``$PAPERLAB_DATA_DIR``, the user cache."""
    dirs = []
    env = os.environ.get("PAPERLAB_DATA_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(cache_dir() / "data")
    return dirs
