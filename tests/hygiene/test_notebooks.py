"""Every committed notebook follows the house rules (CONVENTIONS section 3)."""

import json

import pytest

from paperlab.harness import discover, hygiene

NOTEBOOKS = discover.all_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[discover.rel(p) for p in NOTEBOOKS])
def test_notebook_follows_house_rules(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert hygiene.notebook_problems(nb, path.name) == []


def test_series_notebooks_live_in_a_series_folder():
    for path in NOTEBOOKS:
        series = discover.series_of(path)
        assert series == "start" or (path.parent.name == series), path
