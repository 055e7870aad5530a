"""Shared machinery used by every series: budgets, seeding, paths, figures, claims, exercises."""

from paperlab.core.budget import BUDGETS, resolve, select
from paperlab.core.seed import seed_everything

__all__ = ["BUDGETS", "resolve", "select", "seed_everything"]
