"""Sizes of the swCaffe notebooks per budget (``for_budget(budget)``)."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select


@dataclass(frozen=True)
class SwCaffeConfig:
    """``conv``: (Ni = No, B, H = W) of the emulated direct convolution (3x3, pad 1);
    ``im2col``: (Ni, No, B, H, k, stride, groups) cases of the im2col path;
    ``c2_channels``/``c2_batches``/``c2_hw``: the analytic conv sweep (C2);
    ``c5_batch``: per-node batch of the single-node estimates (C5); ``c6_batches``: batches of the MPE
    trap (C6); ``ps``: node counts of the scaling curves; ``dist_p``/``dist_n``: process counts and
    payloads (elements) of the real gloo allreduce (C7); ``dp_p``/``dp_steps``/``dp_batch``: the
    data-parallel training run; ``fit_batches``: candidate per-node batches of the C4 fit;
    ``seeds``: seeds of the real runs; ``pingpong_reps``: round trips per size of the loopback
    ping-pong (report only)."""

    conv: tuple[int, int, int]
    im2col: tuple[tuple[int, int, int, int, int, int, int], ...]
    c2_channels: tuple[int, ...]
    c2_batches: tuple[int, ...]
    c2_hw: int
    c5_batch: int
    c6_batches: tuple[int, ...]
    ps: tuple[int, ...]
    dist_p: tuple[int, ...]
    dist_n: tuple[int, ...]
    dp_p: int
    dp_steps: int
    dp_batch: int
    fit_batches: tuple[int, ...]
    seeds: tuple[int, ...]
    pingpong_reps: int = 5


_PS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
_FIT = tuple(range(32, 4097, 32))
_FIT_SMOKE = (32, 64, 128, 256)


def for_budget(budget: str) -> SwCaffeConfig:
    """The notebooks' sizes at ``budget`` (smoke: seconds; lab: a few minutes; paper: longer)."""
    return select(
        {
            "smoke": SwCaffeConfig(
                (16, 16, 6),
                ((3, 8, 2, 6, 3, 1, 1),),
                (64, 128, 256, 384),
                (32, 128),
                14,
                512,
                (64, 128, 256),
                _PS,
                (4,),
                (1003, 4099),
                2,
                3,
                32,
                _FIT_SMOKE,
                (0,),
            ),
            "lab": SwCaffeConfig(
                (64, 32, 8),
                ((3, 16, 4, 8, 3, 1, 1), (16, 16, 4, 8, 3, 2, 1), (16, 16, 4, 8, 3, 1, 2)),
                (32, 64, 96, 128, 192, 256, 384),
                (16, 32, 64, 128, 256),
                14,
                512,
                (64, 128, 256),
                _PS,
                (4, 8),
                (4099, 1000003),
                4,
                20,
                64,
                _FIT,
                (0, 1, 2),
                pingpong_reps=50,
            ),
            "paper": SwCaffeConfig(
                (64, 128, 14),
                ((3, 16, 8, 16, 3, 1, 1), (16, 16, 8, 16, 3, 2, 1), (16, 16, 8, 16, 3, 1, 2)),
                (32, 64, 96, 128, 192, 256, 384, 512),
                (16, 32, 64, 128, 256, 512),
                14,
                512,
                (64, 128, 256),
                _PS,
                (4, 8),
                (4099, 1000003, 25557032),
                8,
                50,
                64,
                _FIT,
                (0, 1, 2, 3, 4),
                pingpong_reps=200,
            ),
        },
        budget,
    )
