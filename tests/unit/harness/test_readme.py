import pytest

from paperlab.harness import readme


def test_render_replaces_only_between_markers():
    text = f"intro\n{readme.MAP[0]}\nold map\n{readme.MAP[1]}\nmiddle\n{readme.CARD[0]}\nold\n{readme.CARD[1]}\nend\n"
    out = readme.render(text)
    assert out.startswith("intro\n") and out.endswith("end\n") and "middle" in out
    assert "old map" not in out and "| series | notebook | smoke | lab |" in out
    assert readme.render(out) == out


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="markers"):
        readme.render("no markers here")


def test_scorecard_splits_paper_claims_from_gates_and_counts_verdicts(git_repo, monkeypatch):
    from paperlab.core.claims import Scorecard, at_least, at_most
    from paperlab.core.estimates import paired_comparison

    card = Scorecard("demo", budget="lab", seeds=list(range(8)))
    card.gate("G1", "baseline at its floor", paper="0.081", measured=0.3, criterion=at_most(0.097))
    card.claim("C1", "ours is better", paper="qualitative", measured=0.4386944717155227, criterion=at_least(0.1),
               depends_on=["G1"])
    card.number("N1", "gain", paper="0.2", measured=paired_comparison([1.0 + i / 10 for i in range(8)], [0.5] * 8),
                criterion=at_least(0.1))
    card.check("K1", "closed form", paper="-", measured=0.0, criterion=at_most(1e-6))
    card.save()
    out = readme.scorecard()
    paper_part, gate_part = out.split("### Gates and checks")
    assert "| demo | 1 | 0 | 0 | 1 | 0 | 0 | 2 |" in paper_part  # reproduced, partly, not rep., inconclusive, ...
    assert "| demo | 1 | 0 | 1 | 0 | 0 | 0 | 2 |" in gate_part
    assert "inconclusive (gate G1 failed: baseline at its floor (0.3, not reproduced))" in paper_part
    assert "0.439" in paper_part and "0.4386944717155227" not in out
    assert "0.85 [" in paper_part and "(n=8)" in paper_part  # centre with its interval and n
