"""Budgets of the swTVM series (every size and count a notebook uses comes from here)."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import resolve, select


@dataclass(frozen=True)
class SwtvmConfig:
    """``t1_schedules``: random valid schedules per operator (T1/T2); ``matmul``/``dense``/``conv``/``pool``:
    functional shapes run on the emulator; ``tune_budget``: tuner evaluations per layer (T3/T4);
    ``t5_cap``: divisor choices per knob in the T5 spaces (space size grows as cap^knobs);
    ``t5_seeds``: seeds for the tuner medians; ``scatter_points``: schedules in the explore scatter;
    ``batches``: FC batch sizes of the explore sweep; ``cnn``: (C, H, W, filters) of the AOT CNN."""

    t1_schedules: int
    matmul: tuple[int, int, int]
    dense: tuple[int, int, int]
    conv: tuple[int, int, int, int]
    pool: tuple[int, int, int]
    tune_budget: int
    t5_cap: int
    t5_seeds: int
    scatter_points: int
    batches: tuple[int, ...]
    cnn: tuple[int, int, int, int]


def for_budget(budget: str | None = None) -> SwtvmConfig:
    b = resolve(budget)
    return SwtvmConfig(
        t1_schedules=select({"smoke": 3, "lab": 50, "paper": 200}, b),
        matmul=select({"smoke": (32, 32, 32), "lab": (64, 64, 64), "paper": (128, 128, 128)}, b),
        dense=select({"smoke": (2, 64, 32), "lab": (4, 256, 64), "paper": (8, 1024, 256)}, b),
        conv=select({"smoke": (4, 8, 8, 8), "lab": (8, 12, 12, 16), "paper": (64, 28, 28, 64)}, b),
        pool=select({"smoke": (4, 8, 8), "lab": (16, 16, 16), "paper": (64, 28, 28)}, b),
        tune_budget=select({"smoke": 50, "lab": 500, "paper": 2000}, b),
        t5_cap=select({"smoke": 4, "lab": 6, "paper": 8}, b),
        t5_seeds=select({"smoke": 5, "lab": 5, "paper": 10}, b),
        scatter_points=select({"smoke": 150, "lab": 1500, "paper": 5000}, b),
        batches=select({"smoke": (1, 8, 32), "lab": (1, 8, 32), "paper": (1, 8, 32, 128)}, b),
        cnn=select({"smoke": (3, 12, 12, 8), "lab": (3, 16, 16, 16), "paper": (3, 32, 32, 32)}, b),
    )
