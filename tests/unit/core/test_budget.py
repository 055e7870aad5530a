import pytest

from paperlab.core import budget


def test_precedence_parameter_then_env_then_lab(monkeypatch):
    monkeypatch.delenv("PAPERLAB_BUDGET", raising=False)
    assert budget.resolve() == "lab"
    monkeypatch.setenv("PAPERLAB_BUDGET", "smoke")
    assert budget.resolve() == "smoke"
    assert budget.resolve("paper") == "paper"
    assert budget.resolve(" Lab ") == "lab"


def test_unknown_budget_lists_the_valid_names(monkeypatch):
    with pytest.raises(ValueError, match="smoke, lab, paper"):
        budget.resolve("fast")
    monkeypatch.setenv("PAPERLAB_BUDGET", "fast")
    with pytest.raises(ValueError, match=r"PAPERLAB_BUDGET.*smoke, lab, paper"):
        budget.resolve()


def test_non_string_budget_is_a_type_error():
    with pytest.raises(TypeError, match="budget"):
        budget.resolve(3)


def test_select_picks_and_requires_every_budget():
    table = {"smoke": 1, "lab": 2, "paper": 3}
    assert [budget.select(table, b) for b in budget.BUDGETS] == [1, 2, 3]
    with pytest.raises(ValueError, match="paper"):
        budget.select({"smoke": 1, "lab": 2}, "lab")
