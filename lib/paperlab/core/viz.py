"""One plot style and a deterministic ``savefig`` that writes a provenance manifest.

At the lab and paper budgets figures go to ``figures/<paper>/`` (committed); at smoke to
``build/figures/<paper>/``. Each PNG gets ``<name>.json``: budget, seed, notebook, source files and
their hash, package versions, and the figure's structure (axes titles, labels, legend entries), which
is what CI can compare since nbval ignores images.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib as mpl

from paperlab.core import budget as budget_mod
from paperlab.core import provenance

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "svg.hashsalt": "paperlab",
    "image.cmap": "viridis",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def use_style() -> None:
    """Apply the house plot style (call once in each notebook's setup cell)."""
    mpl.rcParams.update(STYLE)


def describe(fig) -> list[dict]:
    """The structure of ``fig``: per axes its title, labels, legend labels and artist counts."""
    out = []
    for ax in fig.get_axes():
        legend = ax.get_legend()
        out.append(
            {
                "title": ax.get_title(),
                "xlabel": ax.get_xlabel(),
                "ylabel": ax.get_ylabel(),
                "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
                "lines": len(ax.get_lines()),
                "patches": len(ax.patches),
                "collections": len(ax.collections),
                "images": len(ax.images),
            }
        )
    return out


def savefig(
    fig,
    paper: str,
    name: str,
    *,
    budget: str | None = None,
    seed: int | None = None,
    formats: tuple[str, ...] = ("png",),
) -> Path:
    """Save ``fig`` deterministically with a manifest; return the PNG (or first format) path.

    Args:
        fig: a matplotlib Figure.
        paper: series name (a folder of ``lib/paperlab`` such as ``"namsg"`` or ``"sunway"``).
        name: file stem, lowercase letters, digits, ``_`` and ``-``.
        budget: defaults to :func:`paperlab.core.budget.resolve`.
        seed: recorded in the manifest.
        formats: any of ``png``, ``svg``, ``pdf``.
    """
    from paperlab.core import paths

    if not _NAME.match(name):
        raise ValueError(f"name must match {_NAME.pattern}, got {name!r}")
    if not _NAME.match(paper):
        raise ValueError(f"paper must match {_NAME.pattern}, got {paper!r}")
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise ValueError(f"formats must be a non-empty subset of png, svg, pdf; got {formats!r}")
    budget = budget_mod.resolve(budget)
    out_dir = paths.figures_dir(paper, budget)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    written = []
    with mpl.rc_context({"svg.hashsalt": "paperlab"}):
        for fmt in formats:
            target = out_dir / f"{name}.{fmt}"
            fig.savefig(target, format=fmt, metadata=meta[fmt], bbox_inches="tight")
            written.append(target)
    notebook = provenance.current_notebook()
    files = provenance.source_files(paper, notebook)
    manifest = {
        "paper": paper,
        "name": name,
        "files": [p.name for p in written],
        "budget": budget,
        "seed": seed,
        "notebook": notebook,
        "sources": files,
        "source_hash": provenance.source_hash(files),
        "versions": provenance.versions(),
        "structure": describe(fig),
    }
    provenance.write_json_atomic(out_dir / f"{name}.json", manifest)
    return written[0]
