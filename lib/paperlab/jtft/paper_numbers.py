"""Paper numbers with their provenance status. None of them enters a verdict.

JTFT's own table values were not transcribed from arXiv 2305.14649v2: they stay ``None`` with status
"unverified: not transcribed" until someone copies them from the PDF, naming table and page. The
PatchTST/DLinear orientation values are recalled from PatchTST (ICLR 2023) Table 3 and are unverified.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_TRANSCRIBED = "unverified: not transcribed"
FROM_MEMORY = "unverified: from memory"


@dataclass(frozen=True)
class PaperNumber:
    model: str
    dataset: str
    horizon: int
    metric: str
    value: float | None
    status: str
    source: str

    def text(self) -> str:
        """The value with its status, e.g. ``"1.319 (unverified: from memory)"``."""
        return self.status if self.value is None else f"{self.value:g} ({self.status})"


PAPER_NUMBERS: list[PaperNumber] = [
    *(
        PaperNumber(
            "JTFT", ds, h, metric, None, NOT_TRANSCRIBED, "arXiv 2305.14649v2, multivariate LTSF table"
        )
        for ds, hs in (("ILI", (24, 36, 48, 60)), ("Exchange", (96, 192, 336, 720)))
        for h in hs
        for metric in ("mse", "mae")
    ),
    PaperNumber("PatchTST/64", "ILI", 24, "mse", 1.319, FROM_MEMORY, "PatchTST ICLR 2023 Table 3"),
    PaperNumber("PatchTST/64", "ILI", 24, "mae", 0.754, FROM_MEMORY, "PatchTST ICLR 2023 Table 3"),
    PaperNumber("DLinear", "ILI", 24, "mse", 2.215, FROM_MEMORY, "PatchTST ICLR 2023 Table 3"),
    PaperNumber("DLinear", "ILI", 24, "mae", 1.081, FROM_MEMORY, "PatchTST ICLR 2023 Table 3"),
]


def lookup(model: str, dataset: str, horizon: int, metric: str) -> PaperNumber | None:
    """The stored number for this cell, or None."""
    for p in PAPER_NUMBERS:
        if (p.model, p.dataset, p.horizon, p.metric) == (model, dataset, horizon, metric):
            return p
    return None
