"""Exercises of the swCaffe notebooks, checked against the library."""

from __future__ import annotations

from paperlab.core.exercises import register
from paperlab.swcaffe.conv_direct import direct_ldm_plan
from paperlab.swcaffe.dist_allreduce import rhd_split
from paperlab.swcaffe.planner import direct_conditions
from paperlab.swcaffe.scaling import needed_t_comp


def _ldm_total(ni, no, batch, cb):
    return sum(direct_ldm_plan(ni, no, batch, cb).values())


def _uses_direct(batch, ni, no, groups):
    return all(ok for text, ok in direct_conditions(batch, ni, no, groups) if "project" not in text)


register(
    "swcaffe.ldm_bytes",
    reference=_ldm_total,
    cases=lambda rng: [
        ((int(a) * 8, int(b) * 8, int(c) * 8, int(d)), {}) for a, b, c, d in rng.integers(1, 16, (6, 4))
    ],
    hint="w and w_recv: (No/8)(Ni/8); x and x_recv: cb (Ni/8)(B/8); o: cb (No/8)(B/8); times 4 bytes",
    rtol=0,
    atol=0,
)
register(
    "swcaffe.rhd_split",
    reference=lambda owned, rank, mask: rhd_split(list(owned), rank, mask),
    cases=lambda rng: [
        ((list(range(8)), int(r), int(m)), {})
        for r, m in zip(rng.integers(0, 8, 6), rng.choice([1, 2, 4], 6), strict=True)
    ],
    hint="send the owned chunks c with (c & mask) != (rank & mask), keep the others; both ascending",
    rtol=0,
    atol=0,
)
register(
    "swcaffe.uses_direct",
    reference=_uses_direct,
    cases=lambda rng: [
        ((b, ni, no, g), {})
        for b, ni, no, g in [
            (128, 64, 64, 1),
            (127, 64, 64, 1),
            (128, 63, 64, 1),
            (128, 96, 64, 1),
            (128, 80, 64, 1),
            (128, 64, 64, 2),
            (256, 3, 96, 1),
            (128, 64, 48, 1),
        ]
    ],
    hint="batch >= 128, Ni >= 64, Ni % 32 == 0, No >= 64, No % 32 == 0, group == 1",
    rtol=0,
    atol=0,
)
register(
    "swcaffe.needed_t_comp",
    reference=needed_t_comp,
    cases=lambda rng: [
        ((float(s), float(t)), {})
        for s, t in zip(rng.uniform(100, 1000, 5), rng.uniform(0.01, 0.1, 5), strict=True)
    ],
    hint="S = P Tc / (Tc + Tm); solve for Tc",
    rtol=1e-9,
)


def _iter_overlap(t_comp, t_allreduce, t_backward, overlap):
    """Allreduce overlapped with the backward pass: at most ``t_backward`` of it can be hidden."""
    return t_comp + t_allreduce - min(overlap * t_allreduce, t_backward)


register(
    "swcaffe.iteration_overlap",
    reference=_iter_overlap,
    cases=lambda rng: [
        ((float(a), float(b), float(c), float(d)), {})
        for a, b, c, d in zip(
            rng.uniform(0.1, 1, 6),
            rng.uniform(0.01, 0.5, 6),
            rng.uniform(0.0, 0.3, 6),
            rng.uniform(0, 1, 6),
            strict=True,
        )
    ],
    hint="t_iter = t_comp + t_allreduce - hidden, hidden = min(overlap * t_allreduce, t_backward)",
    rtol=1e-9,
)
