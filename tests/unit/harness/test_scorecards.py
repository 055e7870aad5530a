"""Each rule for committed result files fails on a file that breaks it (so the hygiene test cannot pass vacuously)."""

import copy

import pytest

from paperlab.core.claims import Scorecard, at_least, is_true
from paperlab.core.estimates import speedup
from paperlab.harness import scorecards


@pytest.fixture
def good(fake_repo):
    card = Scorecard("demo", budget="smoke", seeds=[0, 1])
    card.gate("G1", "baseline at its floor", paper="0.081", measured=True, criterion=is_true())
    card.claim("C1", "faster", paper="1.4x", measured=speedup([2.0] * 7, [1.0] * 7), criterion=at_least(1.25),
               measure="timing", depends_on=["G1"])
    card.claim("C2", "paper scale", paper="-", measured=None, criterion=at_least(1), runs_at="paper",
               code="paperlab.demo.model:A")
    card.not_implemented("C3", "Atari", kind="claim", paper="528 %")
    data = {"schema": 2, "git_revision": "abc1234", "wall_time_s": 12.5, "seeds": [0, 1], **card.payload()}
    return data


def test_a_good_file_passes(good, fake_repo):
    assert scorecards.problems("results/demo/claims-lab.json", good, fake_repo) == []


def mutate(data, fn):
    d = copy.deepcopy(data)
    fn(d)
    return d


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda d: d.update(schema=1), "schema"),
        (lambda d: d.update(git_revision="abc1234-dirty"), "clean commit"),
        (lambda d: d.update(git_revision=""), "clean commit"),
        (lambda d: d.update(wall_time_s=0.0), "wall time"),
        (lambda d: d.pop("seeds"), "seeds"),
        (lambda d: d.update(rows=[]), "has rows"),
        (lambda d: d["rows"][1].pop("kind"), "kind None"),
        (lambda d: d["rows"][1].update(verdict="mostly"), "vocabulary"),
        (lambda d: d["rows"][1].update(depends_on=["G9"]), "not on the scorecard"),
        (lambda d: d["rows"][1].update(depends_on=["C2"]), "not a gate"),
        (lambda d: d["rows"][1]["estimate"].update(values=[2.0] * 3), ">= 7 stored repeats"),
        (lambda d: d["rows"][1].update(estimate=None), ">= 7 stored repeats"),
        (lambda d: d["rows"][1].update(measure="seeds", estimate={"n": 3, "method": ""}), "states n and its method"),
        (lambda d: d["rows"][2].update(runs_at=None), "runs_at"),
        (lambda d: d["rows"][2].update(code="paperlab.demo.model:missing"), "does not exist"),
        (lambda d: d["rows"][2].update(code="lib/nowhere.py"), "does not exist"),
        (lambda d: d["rows"][1].update(verdict="inconclusive", reason=""), "says why"),
    ],
)
def test_each_rule_fails_on_a_bad_file(good, fake_repo, fn, expected):
    found = scorecards.problems("results/demo/claims-lab.json", mutate(good, fn), fake_repo)
    assert any(expected in p for p in found), found


def test_other_result_files_need_provenance_only(fake_repo):
    data = {"schema": 2, "git_revision": "abc", "wall_time_s": 3.0, "seeds": [], "runs": {}}
    assert scorecards.problems("results/demo/e1-lab.json", data, fake_repo) == []
    assert scorecards.problems("results/demo/e1-lab.json", {"runs": {}}, fake_repo)


def test_code_paths(fake_repo):
    assert scorecards.code_path_exists("lib/paperlab/demo/model.py", fake_repo)
    assert scorecards.code_path_exists("paperlab.demo.model:A", fake_repo)
    assert not scorecards.code_path_exists("paperlab.demo.nothing:A", fake_repo)
    assert not scorecards.code_path_exists(None, fake_repo)
