import json

import pytest

from paperlab.core import claims, estimates
from paperlab.core.claims import (
    Scorecard,
    at_least,
    at_most,
    between,
    equivalent,
    exceeds,
    falls_below,
    is_true,
    no_harm,
)
from paperlab.core.estimates import Estimate


def est(center, low, high, n=10, min_n=8):
    return Estimate(center, low, high, n, "test", min_n=min_n)


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


def test_estimate_needs_the_whole_interval_past_the_bound():
    crit = at_least(1.25, null=1.0)
    assert crit.verdict(est(1.4, 1.3, 1.5)) == "reproduced"
    assert crit.judge(est(1.3, 1.1, 1.5)) == ("partly", "the mean meets the bound, the 90% interval [1.1, 1.5] does not")
    verdict, reason = crit.judge(est(1.3, 0.95, 1.6))  # contains the null: a null result is never partly
    assert verdict == "not reproduced" and "null value 1" in reason
    assert crit.verdict(est(1.15, 1.1, 1.2)) == "not reproduced"
    assert at_least(1.25, partly=1.1).verdict(est(1.15, 1.12, 1.2)) == "partly"
    assert at_most(0.1).verdict(est(0.05, 0.01, 0.09)) == "reproduced"
    assert between(1, 2).verdict(est(1.5, 0.9, 1.8)) == "partly"


def test_underpowered_estimates_are_inconclusive_whatever_their_interval():
    verdict, reason = at_least(0).judge(est(5, 4, 6, n=3, min_n=8))
    assert verdict == "inconclusive" and "n=3 < 8" in reason


def test_direction_only_criteria_need_noise_and_never_give_partly():
    crit = exceeds(0.0, noise=0.01)
    assert crit.verdict(0.02) == "reproduced"
    assert crit.judge(0.005) == ("not reproduced", "within the noise (|0.005 - 0| <= 0.01)")
    assert crit.verdict(-0.05) == "not reproduced"
    assert falls_below(0.0, noise=0.1).verdict(-0.2) == "reproduced"
    assert exceeds(0.0).verdict(est(0.3, 0.1, 0.5)) == "reproduced"
    assert exceeds(0.0).verdict(est(0.3, -0.1, 0.7)) == "not reproduced"
    for v in (-1.0, -0.005, 0.0, 0.005, 1.0):
        assert crit.verdict(v) != "partly"
    with pytest.raises(ValueError, match="noise"):
        Scorecard("demo", budget="smoke").claim("D", "up", paper="-", measured=0.3, criterion=exceeds(0.0))


def test_no_harm_is_inconclusive_inside_the_noise():
    crit = no_harm(0.05, noise=0.02)
    assert crit.verdict(0.01) == "reproduced"
    assert crit.verdict(0.04) == "inconclusive"
    assert crit.verdict(0.1) == "not reproduced"
    assert no_harm(0.05).verdict(est(0.0, -0.02, 0.03)) == "reproduced"
    assert no_harm(0.05).verdict(est(0.04, 0.0, 0.08)) == "inconclusive"


def test_equivalence_needs_the_whole_interval_inside_the_band():
    crit = equivalent(-0.25, 0.25)
    assert crit.verdict(est(0.0, -0.1, 0.2)) == "reproduced"
    verdict, reason = crit.judge(est(0.02, -0.56, 0.6))  # centre inside, interval far wider: no evidence either way
    assert verdict == "inconclusive" and "too wide" in reason
    assert crit.verdict(est(0.5, 0.3, 0.7)) == "not reproduced"
    assert equivalent(-1, 1, noise=0.5).verdict(0.2) == "reproduced"
    assert equivalent(-1, 1, noise=0.5).verdict(0.8) == "inconclusive"
    assert equivalent(-1, 1, noise=0.5).verdict(2.0) == "not reproduced"
    with pytest.raises(ValueError, match="between bounds"):
        equivalent(1, -1)
    with pytest.raises(ValueError, match="noise"):
        Scorecard("demo", budget="smoke").claim("E", "same", paper="-", measured=0.1, criterion=equivalent(-1, 1))


def test_bad_criteria():
    with pytest.raises(ValueError, match="partly"):
        at_least(2, partly=3)
    with pytest.raises(ValueError, match="partly"):
        at_most(2, partly=1)
    with pytest.raises(ValueError, match="between"):
        between(3, 1)
    with pytest.raises(ValueError, match="kind"):
        claims.Criterion("roughly", 1.0)
    with pytest.raises(TypeError, match="bound"):
        at_least("2")
    with pytest.raises(ValueError, match="noise"):
        exceeds(0.0, noise=-1.0)
    with pytest.raises(TypeError, match="Estimate"):
        is_true().judge(est(1, 0, 2))


def test_failed_gate_makes_dependent_rows_inconclusive(fake_repo):
    card = Scorecard("demo", budget="smoke")
    card.gate("G1", "baseline at its floor", paper="0.081", measured=0.3, criterion=at_most(0.097))
    card.gate("G2", "trained enough", paper="-", measured=True, criterion=is_true())
    card.claim("C1", "ours beats baseline", paper="-", measured=5.0, criterion=at_least(1), depends_on=["G1", "G2"])
    card.claim("C2", "independent", paper="-", measured=5.0, criterion=at_least(1), depends_on=["G2"])
    assert card.verdicts == {"G1": "not reproduced", "G2": "reproduced", "C1": "inconclusive", "C2": "reproduced"}
    row = card.rows[2].as_dict()
    assert row["reason"].startswith("gate G1 failed: baseline at its floor (0.3, not reproduced)")
    assert row["depends_on"] == ["G1", "G2"] and row["kind"] == "claim"
    assert "inconclusive (gate G1 failed" in card.markdown()
    with pytest.raises(ValueError, match="not a gate row added before it"):
        card.claim("C3", "x", paper="-", measured=1.0, criterion=at_least(1), depends_on=["C2"])
    with pytest.raises(ValueError, match="not a gate row"):
        card.claim("C4", "x", paper="-", measured=1.0, criterion=at_least(1), depends_on=["G9"])


def test_kind_is_required_and_checked(fake_repo):
    card = Scorecard("demo", budget="smoke")
    with pytest.raises(TypeError, match="kind"):
        card.add("D1", "no kind", paper="-", measured=1.0, criterion=at_least(1))
    with pytest.raises(ValueError, match="kind must be one of"):
        card.add("D1", "bad kind", kind="claims", paper="-", measured=1.0, criterion=at_least(1))
    with pytest.raises(ValueError, match="measure"):
        card.add("D1", "bad", kind="claim", paper="-", measured=1.0, criterion=at_least(1), measure="time")


def test_timing_and_seed_rows_without_a_distribution_are_inconclusive(fake_repo):
    card = Scorecard("demo", budget="smoke")
    card.claim("T1", "faster", paper="1.4x", measured=1.5, criterion=at_least(1.25), measure="timing")
    times = [1.0, 1.1, 0.9, 1.05, 1.0, 0.95, 1.02]
    s = estimates.speedup([2 * t for t in times], times)
    card.claim("T2", "faster", paper="1.4x", measured=s, criterion=at_least(1.25), measure="timing")
    card.claim("S1", "better", paper="-", measured=0.2, criterion=exceeds(0.0, noise=0.01), measure="seeds")
    assert card.verdicts == {"T1": "inconclusive", "T2": "reproduced", "S1": "inconclusive"}
    assert "1 timing draw(s) < 7" in card.rows[0].reason
    assert card.rows[1].as_dict()["estimate"]["values"] == pytest.approx([2.0] * 7)


def test_not_run_rows_name_budget_and_code_and_not_implemented_rows_exist(fake_repo):
    card = Scorecard("demo", budget="smoke")
    with pytest.raises(ValueError, match="runs_at"):
        card.claim("N1", "big run", paper="-", measured=None, criterion=at_least(1))
    card.claim("N1", "big run", paper="-", measured=None, criterion=at_least(1), runs_at="paper",
               code="paperlab.demo.model:A")
    card.not_implemented("N2", "Atari", kind="claim", paper="528 %", note="no code")
    d = [r.as_dict() for r in card.rows]
    assert (d[0]["verdict"], d[0]["runs_at"], d[0]["code"]) == ("not run at this budget", "paper", "paperlab.demo.model:A")
    assert d[1]["verdict"] == "not implemented" and d[1]["criterion"] == ""


def test_scorecard_rows_and_errors(fake_repo):
    card = Scorecard("demo", budget="smoke", seeds=[0, 1])
    card.claim("D1", "faster", paper="2x", measured=2.5, criterion=at_least(2), unit="x", spread=0.1)
    assert card.verdicts == {"D1": "reproduced"}
    assert "2.5 ± 0.1 x" in card.markdown() and "**reproduced**" in card.markdown()
    with pytest.raises(ValueError, match="already"):
        card.claim("D1", "dup", paper="", measured=1.0, criterion=at_least(1))
    with pytest.raises(TypeError, match="criterion"):
        card.claim("D3", "typed", paper="", measured=1.0, criterion=">= 1")
    with pytest.raises(TypeError, match="measured"):
        card.claim("D4", "bad", paper="", measured="fast", criterion=at_least(1))
    with pytest.raises(ValueError, match="budget"):
        Scorecard("demo", budget="fast")


def test_save_writes_where_the_budget_says_with_provenance(git_repo):
    for budget in ("smoke", "lab"):
        card = Scorecard("demo", budget=budget, seeds=[0])
        card.check("D1", "claim", paper="1", measured=1.0, criterion=at_most(1))
        path = card.save()
        base = git_repo / ("build/results" if budget == "smoke" else "results")
        assert path == base / "demo" / f"claims-{budget}.json"
        data = json.loads(path.read_text())
        assert data["rows"][0]["verdict"] == "reproduced" and data["seeds"] == [0] and data["schema"] == 2
        assert {"git_revision", "date", "hardware", "wall_time_s", "versions", "data_hashes", "blas"} <= data.keys()
        assert data["wall_time_s"] > 0 and not data["git_revision"].endswith("-dirty")
        assert not list(path.parent.glob("*.tmp"))
    with pytest.raises(ValueError, match="no rows"):
        Scorecard("demo", budget="lab").save()
