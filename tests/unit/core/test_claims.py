import json

import pytest

from paperlab.core import claims
from paperlab.core.claims import Scorecard, at_least, at_most, between, is_true


@pytest.mark.parametrize("value", [-1.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
def test_verdicts_match_direct_comparisons(value):
    expected_least = "reproduced" if value >= 2 else "partly" if value >= 1 else "not reproduced"
    expected_most = "reproduced" if value <= 1 else "partly" if value <= 2 else "not reproduced"
    expected_between = (
        "reproduced" if 1 <= value <= 2 else "partly" if 0.5 <= value <= 2.5 else "not reproduced"
    )
    assert at_least(2, partly=1).verdict(value) == expected_least
    assert at_most(1, partly=2).verdict(value) == expected_most
    assert between(1, 2, partly=(0.5, 2.5)).verdict(value) == expected_between


def test_none_is_not_run_and_nan_is_not_reproduced():
    for crit in (at_least(1), at_most(1), between(0, 1), is_true()):
        assert crit.verdict(None) == claims.NOT_RUN
    assert at_least(1).verdict(float("nan")) == claims.NOT_REPRODUCED
    assert is_true().verdict(True) == claims.REPRODUCED and is_true().verdict(False) == claims.NOT_REPRODUCED


def test_bad_criteria():
    with pytest.raises(ValueError, match="partly"):
        at_least(2, partly=3)
    with pytest.raises(ValueError, match="partly"):
        at_most(2, partly=1)
    with pytest.raises(ValueError, match="between"):
        between(3, 1)
    with pytest.raises(ValueError, match="kind"):
        claims.Criterion("roughly", 1.0)


def test_scorecard_rows_and_errors(fake_repo):
    card = Scorecard("demo", budget="smoke", seeds=[0, 1])
    card.add("D1", "faster", paper="2x", measured=2.5, criterion=at_least(2), unit="x", spread=0.1)
    card.add("D2", "not run", paper="-", measured=None, criterion=at_most(1))
    assert card.verdicts == {"D1": "reproduced", "D2": "not run at this budget"}
    assert "2.5 ± 0.1 x" in card.markdown() and "**reproduced**" in card.markdown()
    with pytest.raises(ValueError, match="already"):
        card.add("D1", "dup", paper="", measured=1.0, criterion=at_least(1))
    with pytest.raises(TypeError, match="criterion"):
        card.add("D3", "typed", paper="", measured=1.0, criterion=">= 1")
    with pytest.raises(TypeError, match="measured"):
        card.add("D4", "bad", paper="", measured="fast", criterion=at_least(1))
    with pytest.raises(ValueError, match="budget"):
        Scorecard("demo", budget="fast")


def test_save_writes_where_the_budget_says_with_provenance(fake_repo):
    for budget in ("smoke", "lab"):
        card = Scorecard("demo", budget=budget, seeds=[0])
        card.add("D1", "claim", paper="1", measured=1.0, criterion=at_most(1))
        path = card.save()
        base = fake_repo / ("build/results" if budget == "smoke" else "results")
        assert path == base / "demo" / f"claims-{budget}.json"
        data = json.loads(path.read_text())
        assert data["rows"][0]["verdict"] == "reproduced" and data["seeds"] == [0]
        assert {"git_revision", "date", "hardware", "wall_time_s", "versions"} <= data.keys()
        assert not list(path.parent.glob("*.tmp"))
    with pytest.raises(ValueError, match="no rows"):
        Scorecard("demo", budget="lab").save()
