"""Every committed result file follows ../shared/VERDICTS.md (rules in paperlab.harness.scorecards)."""

from paperlab.core import paths
from paperlab.harness import scorecards


def test_committed_results_follow_the_scorecard_rules():
    root = paths.repo_root()
    assert scorecards.result_files(root), "no committed results found"
    problems = scorecards.all_problems(root)
    assert not problems, "\n".join(problems)
