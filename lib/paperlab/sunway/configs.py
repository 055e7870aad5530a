"""Sizes of notebook 00 per budget (``for_budget(budget)``); every size the notebook uses comes from here."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select


@dataclass(frozen=True)
class SunwayConfig:
    """``summa_tiles``: per-CPE tiles b of the emulated SUMMA (C is 8b x 8b); ``summa_k``: K of those runs;
    ``tile_sweep``: tiles of the roofline sweep; ``offload_points``: spawn overheads swept (1-20 us);
    ``payloads``: allreduce payload sizes in the network figure; ``net_ps``: node counts of the scaling
    curve (at most 1,024: a ring schedule has 2 P (P - 1) messages); ``bench_gemm``: M = N = K of the emulator benchmark; ``bench_payloads``: payloads of the
    1,024-node allreduce benchmark."""

    summa_tiles: tuple[int, ...]
    summa_k: int
    tile_sweep: tuple[int, ...]
    offload_points: int
    payloads: int
    net_ps: tuple[int, ...]
    bench_gemm: int
    bench_payloads: int


def for_budget(budget: str) -> SunwayConfig:
    """The notebook's sizes at ``budget`` (smoke: seconds; lab: under a minute; paper: minutes)."""
    return select(
        {
            "smoke": SunwayConfig((4,), 32, (2, 4, 8, 16, 32, 64), 5, 8, (2, 16, 256, 1024), 256, 20),
            "lab": SunwayConfig(
                (4, 8, 16), 128, tuple(range(2, 129, 2)), 20, 20, (2, 4, 16, 64, 256, 512, 1024), 256, 20
            ),
            "paper": SunwayConfig(
                (4, 8, 16, 32),
                512,
                tuple(range(1, 161)),
                40,
                40,
                (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
                256,
                20,
            ),
        },
        budget,
    )
