"""The book: a static site of the executed notebooks in ``build/reports/notebooks``, built with Sphinx,
myst-nb and sphinx-book-theme without re-executing anything.

:func:`write_sources` lays out ``build/book/src``: a landing page, one part per series (its executed
notebooks and a scorecard page with a verdict chart), the Sunway simulator, and the teaching guide when
the repository has one. Widget outputs become their last rendered output plus a line saying that the
interactive version runs in JupyterLab. :func:`build` then runs ``sphinx-build`` from the book's own
environment (``make book-env``) with the configuration in ``book/conf.py``.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from pathlib import Path

from paperlab.core import paths
from paperlab.core.series import SERIES
from paperlab.harness import scorecard_view as sv

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SIMULATOR = "sunway"  # the shared simulator: its own part, before the Sunway papers
# Where a teaching guide may live (the first one found is included).
GUIDE_CANDIDATES = ("docs/teaching_guide.md", "docs/teaching.md", "docs/TEACHING.md", "TEACHING.md")
VERDICT_COLOURS = {
    "reproduced": "#2e7d32",
    "partly": "#f9a825",
    "not reproduced": "#c62828",
    "inconclusive": "#6d4c41",
    "not run at this budget": "#9e9e9e",
    "not implemented": "#424242",
}
VERDICT_MEANING = {
    "reproduced": "our measurement meets the criterion written before the run",
    "partly": "it misses the criterion but meets a looser bound stated with it",
    "not reproduced": "it misses both bounds, or the difference is within its own noise",
    "inconclusive": "a gate the claim depends on failed, or the sample is too small to decide",
    "not run at this budget": "the code exists and runs at a larger budget (named in the row)",
    "not implemented": "no code for this claim yet",
}


def book_dir() -> Path:
    return paths.build_dir() / "book"


def source_dir() -> Path:
    return book_dir() / "src"


def html_dir() -> Path:
    return book_dir() / "html"


def executed_dir() -> Path:
    return paths.build_dir() / "reports" / "notebooks"


# ---------------------------------------------------------------- widgets -> static outputs


def _model_ref(value) -> list[str]:
    """Model ids referenced by a widget state value (``"IPY_MODEL_<id>"``, possibly in lists)."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return [value.removeprefix("IPY_MODEL_")]
    if isinstance(value, list):
        return [m for v in value for m in _model_ref(v)]
    return []


def _walk(models: dict, model_id: str, seen: set[str]) -> list[dict]:
    """The widget models under ``model_id`` (itself first), depth first, each once."""
    if model_id in seen or model_id not in models:
        return []
    seen.add(model_id)
    found = [models[model_id]]
    for child in _model_ref(models[model_id].get("state", {}).get("children")):
        found += _walk(models, child, seen)
    return found


def _control_summary(found: list[dict]) -> list[str]:
    """``description = value`` for each control (sliders, dropdowns, text, checkboxes)."""
    out = []
    for m in found:
        state = m.get("state", {})
        if state.get("_options_labels") and isinstance(state.get("index"), int):
            value = state["_options_labels"][state["index"]]
        elif "value" in state and m.get("model_name") != "OutputModel":
            value = state["value"]
        else:
            continue
        label = state.get("description") or m.get("model_name", "").removesuffix("Model")
        text = sv.value_text(value) if not isinstance(value, str) else value.replace("\n", "\\n")
        out.append(f"{label} = {text}")
    return out


def static_widget_outputs(output: dict, models: dict, notebook: str) -> list[dict]:
    """Replace one widget-view output by a note and the widget's last rendered outputs."""
    model_id = output["data"][WIDGET_VIEW]["model_id"]
    found = _walk(models, model_id, set())
    shown = [o for m in found if m.get("model_name") == "OutputModel" for o in m["state"].get("outputs", [])]
    controls = _control_summary(found)
    setting = f" (shown at {', '.join(controls)})" if controls else ""
    note = (
        "<p class='paperlab-widget-note'>Interactive widget: the controls run in JupyterLab "
        f"(<code>make lab</code>, then open <code>{notebook}</code>). "
        f"{'Below is its last rendered output' + setting + '.' if shown else 'Its output appears above.'}</p>"
    )
    return [{"output_type": "display_data", "data": {"text/html": note}, "metadata": {}}] + copy.deepcopy(
        shown
    )


def separate_display_math(markdown: str) -> str:
    """Put a blank line around each ``$$ ... $$`` block that starts a line.

    JupyterLab renders display math that continues a paragraph (text on the line before or after);
    MyST parses ``$$`` only at the start of a block and would otherwise pair the dollars wrongly.
    Code fences are left alone.
    """
    out: list[str] = []
    in_fence = in_math = after_math = False
    for line in markdown.split("\n"):
        s = line.strip()
        if after_math and s:
            out.append("")
        after_math = False
        if not in_math and s.startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or (s.startswith(("```", "~~~")) and not in_math):
            out.append(line)
            continue
        if not in_math and s.startswith("$$"):
            if out and out[-1].strip():
                out.append("")
            out.append(line)
            rest = s[2:]
            if len(rest) >= 2 and rest.endswith("$$"):
                after_math = True  # a one-line block
            else:
                in_math = True
            continue
        out.append(line)
        if in_math and s.endswith("$$"):
            in_math, after_math = False, True
    return "\n".join(out)


def static_notebook(nb: dict, notebook: str) -> dict:
    """A copy of executed notebook ``nb`` whose widget outputs are static (see :func:`static_widget_outputs`),
    without the widget state (so no widget JavaScript is loaded)."""
    nb = copy.deepcopy(nb)
    state = nb.get("metadata", {}).pop("widgets", {}) or {}
    models = state.get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = separate_display_math(source)
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if WIDGET_VIEW in out.get("data", {}):
                outputs += static_widget_outputs(out, models, notebook)
            else:
                outputs.append(out)
        cell["outputs"] = outputs
    return nb


# ---------------------------------------------------------------- pages


def md_escape(text: str) -> str:
    """Text safe inside a MyST table cell: no math, emphasis, links, HTML or column breaks."""
    out = text.replace("\\", "\\\\")
    for ch in "|$*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def _table(rows: list[sv.Row], with_kind: bool) -> str:
    head = ["id"] + (["kind"] if with_kind else []) + ["claim", "paper", "ours", "criterion", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        verdict = f"**{md_escape(r.verdict)}**" + (f"<br>{md_escape(r.reason)}" if r.reason else "")
        cells = [r.id] + ([r.kind] if with_kind else []) + [r.claim, r.paper, r.ours, r.criterion]
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + f" | {verdict} |")
    return "\n".join(lines)


def verdict_chart(rows_: list[sv.Row], target: Path, title: str) -> Path:
    """A horizontal bar chart of verdict counts, paper rows and gate rows on separate bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [
        ("paper claims", [r for r in rows_ if r.is_paper]),
        ("gates and checks", [r for r in rows_ if not r.is_paper]),
    ]
    groups = [(name, g) for name, g in groups if g]
    fig, ax = plt.subplots(figsize=(7, 0.7 + 0.6 * max(1, len(groups))))
    seen: set[str] = set()
    for y, (_, group) in enumerate(reversed(groups)):
        left = 0
        for verdict, n in sv.verdict_counts(group).items():
            ax.barh(
                y,
                n,
                left=left,
                color=VERDICT_COLOURS.get(verdict, "#90a4ae"),
                label=verdict if verdict not in seen else None,
                edgecolor="white",
            )
            ax.text(left + n / 2, y, str(n), ha="center", va="center", color="white", fontsize=9)
            seen.add(verdict)
            left += n
    ax.set_yticks(range(len(groups)), [name for name, _ in reversed(groups)])
    ax.set_xlabel("rows")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return target


def scorecard_page(series: str, out_dir: Path) -> str | None:
    """``<series>/scorecard.md`` (and its chart), or None when the series has no lab scorecard."""
    rows_ = sv.rows(series, "lab")
    if not rows_:
        return None
    title = SERIES[series].title if series in SERIES else series
    verdict_chart(rows_, out_dir / series / "verdicts.png", f"{title}: verdicts at the lab budget")
    paper = [r for r in rows_ if r.is_paper]
    gates = [r for r in rows_ if not r.is_paper]
    sources = ", ".join(f"`{f.relative_to(paths.repo_root()).as_posix()}`" for f in sv.card_files(series))
    parts = [
        f"# {title}: scorecard\n",
        f"The committed lab-budget scorecard ({sources}), whatever budget the notebooks of this book ran at. "
        "[How to read a verdict](../index.md#how-to-read-a-verdict).\n",
        "![Verdict counts](verdicts.png)\n",
        "## Paper claims\n",
        _table(paper, with_kind=any(r.kind != "claim" for r in paper)) if paper else "_No paper claims yet._",
    ]
    if gates:
        parts += [
            "\n## Gates and checks\n",
            "Preconditions and our own consistency checks; not claims of the paper.\n",
            _table(gates, with_kind=True),
        ]
    (out_dir / series).mkdir(parents=True, exist_ok=True)
    (out_dir / series / "scorecard.md").write_text("\n".join(parts) + "\n", encoding="utf-8")
    return f"{series}/scorecard"


def _budgets(notebooks: list[Path]) -> list[str]:
    found = set()
    for nb in notebooks:
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {})
        found.add(str(meta.get("papermill", {}).get("parameters", {}).get("BUDGET", "unknown")))
    return sorted(found)


def landing_page(parts: list[tuple[str, str, list[str]]], budgets: list[str], guide: str | None) -> str:
    lines = [
        "# paperlab: ten papers, explained, implemented and reproduced\n",
        "Each series takes one research paper through four notebooks: **explain** (the idea and its "
        "equations), **implement** (the method, checked against the library), **reproduce** (the paper's "
        "claims, each with a verdict) and **explore** (controls to move and see what changes). "
        f"The notebooks in this book were executed at the **{', '.join(budgets)}** budget; "
        "the scorecards are the committed lab-budget results.\n",
        "| series | the paper's idea | what it teaches | paper claims (lab) |",
        "|---|---|---|---|",
    ]
    for key, s in SERIES.items():
        rows_ = [r for r in sv.rows(key) if r.is_paper]
        counts = "<br>".join(f"{n} {v}" for v, n in sv.verdict_counts(rows_).items()) or "—"
        first = sorted((source_dir() / key).glob("*.ipynb"))
        name = f"[{md_escape(s.title)}]({key}/{first[0].name})" if first else f"**{md_escape(s.title)}**"
        if (source_dir() / key / "scorecard.md").exists():
            counts += f"<br>[scorecard]({key}/scorecard.md)"
        lines.append(
            f"| {name}<br><small>{md_escape(s.citation)}</small> | {md_escape(s.idea)} "
            f"| {md_escape(s.teaches)} | {counts} |"
        )
    lines += [
        "\n(how-to-read-a-verdict)=",
        "## How to read a verdict\n",
        "Every row of a scorecard states a claim, the paper's value, what we measured and a criterion "
        "fixed before the run; the verdict is computed from the measurement, never typed in. "
        "Paper claims (`claim`, `number`) are shown apart from gates (does the experiment work at all?) "
        "and checks (our own consistency tests).\n",
    ]
    lines += [f"- **{v}**: {meaning}." for v, meaning in VERDICT_MEANING.items()]
    lines.append(
        "\nA verdict at a small budget says what this budget shows; an honest negative is a finding. "
        "The interactive explorers run in JupyterLab (`make lab`); here they show their last output.\n"
    )
    for caption, _, entries in parts:
        lines += ["```{toctree}", ":maxdepth: 1", f":caption: {caption}", "", *entries, "```\n"]
    if guide:
        lines += ["```{toctree}", ":maxdepth: 1", ":caption: Teaching", "", guide, "```\n"]
    return "\n".join(lines)


def write_sources(src: Path | None = None) -> Path:
    """Lay out the book's sources under ``build/book/src`` from ``build/reports/notebooks``."""
    src = src or source_dir()
    executed = executed_dir()
    notebooks = sorted(executed.rglob("*.ipynb"))
    if not notebooks:
        raise ValueError(
            f"no executed notebooks under {executed}: run `paperlab run` (or `make reports`) first"
        )
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    by_series: dict[str, list[str]] = {}
    for nb_path in notebooks:
        rel = nb_path.relative_to(executed)
        series = rel.parts[0] if len(rel.parts) > 1 else "start"
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(static_notebook(nb, f"notebooks/{rel.as_posix()}"), indent=1), encoding="utf-8"
        )
        by_series.setdefault(series, []).append(rel.with_suffix("").as_posix())
    parts: list[tuple[str, str, list[str]]] = []
    if "start" in by_series:
        parts.append(("Start here", "start", by_series.pop("start")))
    order = [SIMULATOR] + [k for k in SERIES if k != SIMULATOR] + sorted(set(by_series) - set(SERIES))
    for key in order:
        entries = by_series.get(key, [])
        card = scorecard_page(key, src)
        if card:
            entries = entries + [card]
        if entries:
            title = SERIES[key].title if key in SERIES else key
            parts.append((title, key, entries))
    guide = None
    for cand in GUIDE_CANDIDATES:
        path = paths.repo_root() / cand
        if path.exists():
            shutil.copy(path, src / "teaching_guide.md")
            guide = "teaching_guide"
            break
    (src / "index.md").write_text(landing_page(parts, _budgets(notebooks), guide), encoding="utf-8")
    return src


# What the site screenshots depend on: the site's configuration, style and page generator.
SCREENSHOT_SOURCES = ["book/conf.py", "book/_static/paperlab.css", "lib/paperlab/harness/book.py"]


def write_screenshot_manifests(folder: Path) -> list[Path]:
    """A manifest next to each screenshot in ``folder`` (``figures/site``), as for notebook figures."""
    from paperlab.core import provenance

    written = []
    for image in sorted(folder.glob("*.png")):
        manifest = {
            "command": "make screenshots",
            "files": [image.name],
            "name": image.stem,
            "paper": "site",
            "source_hash": provenance.source_hash(SCREENSHOT_SOURCES),
            "sources": SCREENSHOT_SOURCES,
        }
        target = image.with_suffix(".json")
        target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(target)
    return written


def build(sphinx_build: str, quiet: bool = True) -> tuple[Path, float]:
    """Write the sources and run ``sphinx_build`` on them; return the site's index and the seconds taken."""
    start = time.perf_counter()
    src = write_sources()
    out = html_dir()
    if out.exists():
        shutil.rmtree(out)
    conf_dir = paths.repo_root() / "book"
    cmd = [sphinx_build, "-b", "html", "-c", str(conf_dir), "-W", "--keep-going", "-j", "1"]
    cmd += ["-q"] if quiet else []
    subprocess.run(cmd + [str(src), str(out)], check=True)
    return out / "index.html", time.perf_counter() - start
