"""Exercise markers and nbgrader metadata agree in every notebook (`paperlab course annotate` writes them)."""

import pytest

from paperlab.harness import discover, grading

NOTEBOOKS = discover.all_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[discover.rel(p) for p in NOTEBOOKS])
def test_nbgrader_metadata_matches_the_markers(path):
    assert grading.problems(grading.read(path)) == [], "run `paperlab course annotate`"
