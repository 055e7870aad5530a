"""Provenance shared by figure manifests and result files: source hashes, versions, git revision.

Every JSON file a series writes under ``results/`` goes through :func:`save_result`: at the lab and paper
budgets it refuses to write when tracked files outside ``results/`` and ``figures/`` differ from ``HEAD``
(committed results come from committed code), and it records the clean revision, the real wall time, the
seeds, the hashes of the data files read, the BLAS kernel and the package versions.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
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


#: Paths that a lab or paper run may leave modified: it writes them.
RESULT_PATHS = ("results/", "figures/")
ALLOW_DIRTY_ENV = "PAPERLAB_ALLOW_DIRTY"


class DirtyTreeError(RuntimeError):
    """Tracked source files differ from HEAD, so a result would not come from committed code."""


def _head_notebook_code(rel: str) -> str | None:
    try:
        return "\n# ---\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in json.loads(_git("show", f"HEAD:{rel}")).get("cells", [])
            if c.get("cell_type") == "code"
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def modified_sources() -> list[str]:
    """Tracked files that differ from HEAD, outside ``results/`` and ``figures/``.

    A notebook whose code cells equal HEAD's (only outputs or narrative changed, as after running it in
    JupyterLab) does not count: its outputs cannot change a result.
    """
    out = []
    for rel in _git("diff", "--name-only", "HEAD").splitlines():
        if rel.startswith(RESULT_PATHS):
            continue
        if rel.endswith(".ipynb") and (paths.repo_root() / rel).exists():
            if _head_notebook_code(rel) == notebook_code(paths.repo_root() / rel):
                continue
        out.append(rel)
    return out


def require_clean_revision() -> str:
    """The short HEAD revision, or :class:`DirtyTreeError` naming the modified tracked files."""
    try:
        changed = modified_sources()
        rev = _git("rev-parse", "--short", "HEAD")
    except (OSError, subprocess.SubprocessError) as e:
        raise DirtyTreeError(f"cannot read the git revision ({e}); committed results need a git checkout") from None
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        raise DirtyTreeError(
            f"refusing to save a lab/paper result: tracked files differ from HEAD ({rev}): {shown}. "
            "Commit them first (committed results come from committed code), run at the smoke budget, or set "
            f"{ALLOW_DIRTY_ENV}=1 to write an uncommitted copy under build/results/."
        )
    return rev


def blas() -> list[dict[str, object]]:
    """The BLAS libraries loaded, with their kernel (threadpoolctl), and OPENBLAS_CORETYPE if set."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return []
    keep = ("internal_api", "version", "architecture", "num_threads")
    info = [{k: lib.get(k) for k in keep} for lib in threadpool_info() if lib.get("user_api") == "blas"]
    for lib in info:
        lib["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    return info


def data_hashes() -> dict[str, str]:
    """Datasets verified by :mod:`paperlab.data.registry` in this process (name -> sha256)."""
    registry = sys.modules.get("paperlab.data.registry")
    return dict(sorted(getattr(registry, "VERIFIED", {}).items()))


def wall_time_s(started: float | None = None) -> float:
    """Seconds of wall time since ``started`` (a ``time.time()``), else since paperlab was imported."""
    import paperlab

    return round(time.time() - (paperlab.IMPORTED_AT_WALL if started is None else started), 1)


def record(*, budget: str, seeds: list[int] | tuple[int, ...] = (), data: str = "",
           started: float | None = None, revision: str | None = None) -> dict[str, object]:
    """The provenance fields every result file carries."""
    return {
        "budget": budget,
        "git_revision": revision or git_revision(),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_time_s": wall_time_s(started),
        "seeds": [int(s) for s in seeds],
        "data": data,
        "data_hashes": data_hashes(),
        "hardware": hardware(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "blas": blas(),
        "versions": versions(),
        "notebook": current_notebook(),
    }


def save_result(paper: str, name: str, budget: str, payload: dict, *, seeds=(), data: str = "",
                started: float | None = None) -> Path:
    """Write ``results/<paper>/<name>-<budget>.json`` (``build/results`` at smoke) with provenance.

    At lab and paper the tree must be clean (:func:`require_clean_revision`); with
    ``PAPERLAB_ALLOW_DIRTY=1`` an uncommitted copy goes to ``build/results`` instead, marked ``-dirty``.
    """
    if not name or "/" in name or name.endswith(f"-{budget}"):
        raise ValueError(f"name must be a bare experiment name such as 'claims' or 'e3', got {name!r}")
    clash = {"schema", "budget", "git_revision", "date", "wall_time_s", "hardware", "versions", "data_hashes"} & set(payload)
    if clash:
        raise ValueError(f"payload must not set the provenance keys {sorted(clash)}")
    target_dir = paths.results_dir(paper, budget)
    revision = None
    if budget in ("lab", "paper"):
        if os.environ.get(ALLOW_DIRTY_ENV) == "1":
            target_dir = paths.build_dir() / "results" / paper
        else:
            revision = require_clean_revision()
    prov = record(budget=budget, seeds=seeds, data=data, started=started, revision=revision)
    return write_json_atomic(target_dir / f"{name}-{budget}.json", {"schema": 2, **prov, **payload})


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
