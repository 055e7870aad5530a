import pytest

from paperlab import PAPERS
from paperlab.core import series


def test_every_paper_has_a_card():
    assert set(PAPERS) | {"sunway"} == set(series.SERIES)
    for key in series.SERIES:
        assert f"notebooks/{key}/" in series.describe(key)


def test_unknown_series():
    with pytest.raises(ValueError, match="key"):
        series.describe("bert")
