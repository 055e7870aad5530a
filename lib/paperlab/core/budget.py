"""The three budgets (smoke, lab, paper) and how a notebook picks one.

Resolution order: an explicit value (the notebook's papermill parameter ``BUDGET``), then the
environment variable ``PAPERLAB_BUDGET``, then ``lab``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

BUDGETS: tuple[str, ...] = ("smoke", "lab", "paper")
DEFAULT_BUDGET = "lab"
ENV_VAR = "PAPERLAB_BUDGET"

T = TypeVar("T")


def _check(name: object, source: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"budget must be a string such as 'smoke', got {type(name).__name__} from {source}")
    key = name.strip().lower()
    if key not in BUDGETS:
        raise ValueError(f"unknown budget {name!r} (from {source}); choose one of: {', '.join(BUDGETS)}")
    return key


def resolve(value: str | None = None) -> str:
    """Return the budget name to use.

    Args:
        value: the notebook's ``BUDGET`` parameter; ``None`` defers to the environment.

    Raises:
        ValueError: the name is not one of smoke, lab, paper (the message lists them).
    """
    if value is not None:
        return _check(value, "the BUDGET parameter or --budget")
    env = os.environ.get(ENV_VAR)
    if env:
        return _check(env, f"${ENV_VAR}")
    return DEFAULT_BUDGET


def select(table: Mapping[str, T], budget: str) -> T:
    """Pick the entry of ``table`` (keyed by budget name) for ``budget``.

    Every per-paper ``configs.for_budget`` goes through this, so a missing budget is a clear error.
    """
    key = _check(budget, "select()")
    missing = [b for b in BUDGETS if b not in table]
    if missing:
        raise ValueError(f"budget table lacks entries for: {', '.join(missing)}")
    return table[key]
