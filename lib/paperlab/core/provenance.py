"""Provenance shared by figure manifests and result files: source hashes, versions, git revision."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from paperlab.core import paths

TRACKED_PACKAGES = ("torch", "numpy", "matplotlib", "scipy", "gymnasium", "torch-geometric", "scikit-learn")


def notebook_code(path: Path) -> str:
    """The concatenated source of a notebook's code cells (narrative edits do not change it).

    nbgrader's hidden-test cells are left out: they only grade exercises and draw nothing.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    sources = (
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code"
    )
    return "\n# ---\n".join(s for s in sources if "### BEGIN HIDDEN TESTS" not in s)


# Shared machinery whose edits must not make every figure stale; data loaders (paperlab.data.*) do count.
SHARED_PACKAGES = ("paperlab.core", "paperlab.harness")
SHARED_MODULES = {"paperlab.data", "paperlab.data.registry"}


def loaded_library_files() -> list[str]:
    """Repository-relative files of the paperlab modules imported so far, shared machinery excluded."""
    root = paths.repo_root()
    files = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("paperlab.") or name.startswith(SHARED_PACKAGES) or name in SHARED_MODULES:
            continue
        file = getattr(module, "__file__", None)
        if file:
            try:
                files.add(Path(file).resolve().relative_to(root).as_posix())
            except ValueError:  # installed elsewhere (not an editable checkout): nothing to track
                continue
    return sorted(files)


def source_files(paper: str, notebook: str | None) -> list[str]:
    """Repository-relative paths whose content produced a paper's figure or result.

    The notebook's code cells plus the library modules the kernel has imported (so editing an unrelated
    module of the series does not make every figure stale); when none is loaded, the series' whole folder.
    """
    root = paths.repo_root()
    files = loaded_library_files() or sorted(
        p.relative_to(root).as_posix() for p in (root / "lib" / "paperlab" / paper).rglob("*.py")
    )
    if notebook:
        files.insert(0, notebook)
    return files


def source_hash(files: list[str]) -> str:
    """SHA-256 over the listed files (notebooks by their code cells only), in order."""
    root = paths.repo_root()
    h = hashlib.sha256()
    for rel in files:
        p = root / rel
        h.update(rel.encode())
        if not p.exists():
            h.update(b"<missing>")
        elif p.suffix == ".ipynb":
            h.update(notebook_code(p).encode())
        else:
            h.update(p.read_bytes())
    return h.hexdigest()


def current_notebook() -> str | None:
    """Repository-relative path of the running notebook, if known.

    The paperlab runner sets ``PAPERLAB_NOTEBOOK``; JupyterLab sets ``JPY_SESSION_NAME``.
    """
    for var in ("PAPERLAB_NOTEBOOK", "JPY_SESSION_NAME"):
        value = os.environ.get(var)
        if value and value.endswith(".ipynb"):
            p = Path(value)
            root = paths.repo_root()
            if not p.is_absolute():
                p = root / p
            try:
                return p.resolve().relative_to(root).as_posix()
            except ValueError:
                continue
    return None


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=paths.repo_root(), capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


def git_revision() -> str:
    """Short commit id, with ``-dirty`` when tracked files have uncommitted changes; ``unknown`` outside git."""
    try:
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return _git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def hardware() -> dict[str, object]:
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "system": platform.system(),
    }


def write_json_atomic(path: Path, payload: dict) -> Path:
    """Write JSON to ``path`` via a temporary file and rename, so a crash leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
