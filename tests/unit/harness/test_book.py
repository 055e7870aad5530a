"""The book's notebook transforms and scorecard reading (no Sphinx needed)."""

import json

import pytest

from paperlab.harness import book
from paperlab.harness import scorecard_view as sv

V1 = {
    "id": "C1",
    "claim": "faster",
    "paper": "2x",
    "measured": 1.23456,
    "spread": 0.0412,
    "unit": "x",
    "criterion": ">= 1.5",
    "verdict": "not reproduced",
    "note": "small model",
}
V2 = {
    "id": "G1",
    "kind": "gate",
    "claim": "C51 at 90 % of optimum",
    "paper": None,
    "measured": None,
    "estimate": {"center": 0.91234, "low": 0.8811, "high": 0.9377, "level": 0.9, "method": "t", "n": 8},
    "criterion": ">= 0.9",
    "verdict": "inconclusive",
    "reason": "underpowered",
}


def test_v1_row_is_a_claim_with_rounded_values():
    row = sv.read_row("demo", V1)
    assert row.kind == "claim" and row.is_paper
    assert row.ours == "1.23 ± 0.041 x"
    assert row.reason == "small model"


def test_v2_row_keeps_kind_reason_and_estimate():
    row = sv.read_row("demo", V2)
    assert row.kind == "gate" and not row.is_paper
    assert row.ours == "0.912 [0.881, 0.938] (90 %, t, n = 8)"
    assert row.reason == "underpowered" and row.paper == "—"


def test_bad_rows_are_rejected():
    with pytest.raises(ValueError, match="kind"):
        sv.read_row("demo", {**V1, "kind": "opinion"})
    with pytest.raises(TypeError, match="row"):
        sv.read_row("demo", ["C1"])
    with pytest.raises(ValueError, match="estimate"):
        sv.estimate_text({"low": 1})


def test_value_text_rounds_and_spells_out():
    assert sv.value_text(0.123456789) == "0.123"
    assert sv.value_text(True) == "yes" and sv.value_text(None) == "—" and sv.value_text(7) == "7"
    assert sv.value_text([1.23456, 2]) == "[1.23, 2]"


def test_verdict_counts_in_display_order():
    rows = [sv.read_row("d", {**V1, "verdict": v}) for v in ("partly", "reproduced", "odd", "partly")]
    assert list(sv.verdict_counts(rows).items()) == [("reproduced", 1), ("partly", 2), ("odd", 1)]


def _widget_notebook():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_dd", "IPY_MODEL_out"]}},
        "dd": {
            "model_name": "DropdownModel",
            "state": {"description": "series", "index": 1, "_options_labels": ["a", "b"]},
        },
        "out": {
            "model_name": "OutputModel",
            "state": {"outputs": [{"output_type": "stream", "name": "stdout", "text": "card b\n"}]},
        },
    }
    view = {
        "output_type": "display_data",
        "metadata": {},
        "data": {book.WIDGET_VIEW: {"model_id": "box"}, "text/plain": "VBox(...)"},
    }
    return {
        "metadata": {"widgets": {book.WIDGET_STATE: {"state": state}}},
        "cells": [{"cell_type": "code", "source": "interact(...)", "outputs": [view], "metadata": {}}],
    }


def test_widget_becomes_note_plus_last_output():
    nb = _widget_notebook()
    out = book.static_notebook(nb, "notebooks/x/04_explore.ipynb")
    outputs = out["cells"][0]["outputs"]
    assert "widgets" not in out["metadata"]
    assert "runs in JupyterLab" not in json.dumps(nb["cells"])  # the input is not changed
    note = outputs[0]["data"]["text/html"]
    assert "JupyterLab" in note and "notebooks/x/04_explore.ipynb" in note and "series = b" in note
    assert outputs[1] == {"output_type": "stream", "name": "stdout", "text": "card b\n"}


def test_display_math_gets_its_own_block():
    src = "rounds of\n   $$D=\n   1$$\n   with $a$\n```\n$$x$$\n```"
    assert book.separate_display_math(src) == "rounds of\n\n   $$D=\n   1$$\n\n   with $a$\n```\n$$x$$\n```"
    assert book.separate_display_math("a\n\n$$x$$\n\nb") == "a\n\n$$x$$\n\nb"


def test_md_escape_neutralises_markdown():
    assert book.md_escape("a|b $x$ *y* <z>") == "a\\|b \\$x\\$ \\*y\\* \\<z\\>"


def test_write_sources_needs_executed_notebooks(fake_repo):
    with pytest.raises(ValueError, match="no executed notebooks"):
        book.write_sources()


def test_write_sources_lays_out_parts_and_scorecards(fake_repo):
    executed = fake_repo / "build" / "reports" / "notebooks"
    (executed / "jtft").mkdir(parents=True)
    nb = {
        "metadata": {"papermill": {"parameters": {"BUDGET": "smoke"}}},
        "nbformat": 4,
        "nbformat_minor": 5,
        "cells": [{"cell_type": "markdown", "source": "# JTFT 1", "metadata": {}}],
    }
    (executed / "jtft" / "01_explain.ipynb").write_text(json.dumps(nb))
    (executed / "00_start_here.ipynb").write_text(json.dumps(nb))
    (fake_repo / "results" / "jtft").mkdir(parents=True)
    card = {"paper": "jtft", "rows": [V1, V2]}
    (fake_repo / "results" / "jtft" / "claims-lab.json").write_text(json.dumps(card))
    src = book.write_sources()
    index = (src / "index.md").read_text()
    assert ":caption: Start here" in index and ":caption: JTFT" in index
    assert "jtft/01_explain" in index and "jtft/scorecard" in index and "**smoke** budget" in index
    page = (src / "jtft" / "scorecard.md").read_text()
    paper_part, gate_part = page.split("## Gates and checks")
    assert "| C1 |" in paper_part and "| G1 |" in gate_part and "1.23 ± 0.041 x" in paper_part
    assert (src / "jtft" / "verdicts.png").stat().st_size > 1000


def test_screenshot_manifests_are_fresh_and_name_their_command(fake_repo):
    from paperlab.harness import figures

    for rel in book.SCREENSHOT_SOURCES:
        (fake_repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake_repo / rel).write_text("v1")
    site = fake_repo / "figures" / "site"
    site.mkdir(parents=True)
    (site / "book-landing.png").write_bytes(b"\x89PNG")
    assert figures.problems() and "manifest" in figures.problems()[0]
    book.write_screenshot_manifests(site)
    assert figures.problems() == []
    (fake_repo / "book" / "conf.py").write_text("v2")
    assert "make screenshots" in figures.problems()[0]
    assert figures.stale_series() == []  # not a notebook series: `make figures` leaves it alone


def test_v2_rows_as_the_scorecard_writes_them():
    est = {
        "center": -0.5,
        "low": float("-inf"),
        "high": 0.25,
        "level": 0.9,
        "method": "exact sign",
        "n": 8,
        "center_name": "median",
        "min_n": 8,
        "values": [0.1] * 8,
        "p_value": 0.03,
    }
    row = sv.read_row("demo", {**V2, "kind": "number", "estimate": est, "unit": "s", "reason": None})
    assert row.ours == "-0.5 [-inf, 0.25] (90 %, exact sign, n = 8) s" and row.reason == ""
    plain = sv.read_row("demo", {**V1, "kind": "check", "estimate": None, "spread": None, "measured": 2.0})
    assert plain.ours == "2 x" and not plain.is_paper
