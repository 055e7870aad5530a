"""Progress bars on long loops (tqdm.auto: a widget in Jupyter, text elsewhere).

Bars are off at the smoke budget (their text holds rates, which would break the determinism check)
and when ``PAPERLAB_PROGRESS=0``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any


def progress(iterable: Iterable | None = None, *, budget: str | None = None, **kwargs: Any):
    """``tqdm.auto.tqdm(iterable, **kwargs)``, disabled at smoke or when ``PAPERLAB_PROGRESS=0``."""
    from tqdm.auto import tqdm

    budget = budget or os.environ.get("PAPERLAB_BUDGET", "lab")
    disable = budget == "smoke" or os.environ.get("PAPERLAB_PROGRESS") == "0"
    kwargs.setdefault("leave", False)
    return tqdm(iterable, disable=disable, **kwargs)
