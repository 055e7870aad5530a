"""Exercises of notebook 00, checked against the library on seeded inputs."""

from __future__ import annotations

from paperlab.core.exercises import register
from paperlab.sunway.cost import gemm_ldm_plan
from paperlab.sunway.kernels.summa_gemm import summa_sources


def _bw_cg(block, B, h):
    return B * block / (block + h)


def _gemm_ldm_bytes(tile, k_tile, double_buffered, itemsize=4):
    return sum(
        gemm_ldm_plan(tile, k_tile, rlc=False, itemsize=itemsize, double_buffered=double_buffered).values()
    )


register(
    "sunway.bw_cg",
    reference=_bw_cg,
    cases=lambda rng: (
        [((float(b), 21.0e9, 710.0), {}) for b in rng.choice([64, 128, 512, 2048, 24576], 4)]
        + [((rng.uniform(64, 30000, 5), 20.9e9, 707.0), {})]
    ),
    hint="per CPE t = t0 + s / bw_cpe; 64 CPEs give bw = 64 s / t = B b / (b + h) with h = t0 * bw_cpe",
    rtol=1e-9,
)

register(
    "sunway.gemm_ldm_bytes",
    reference=_gemm_ldm_bytes,
    cases=lambda rng: (
        [
            ((int(b), int(k), bool(db)), {})
            for b, k, db in zip(
                rng.integers(1, 64, 6), rng.integers(1, 64, 6), [True, False] * 3, strict=True
            )
        ]
        + [((8, 16, True), {"itemsize": 8})]
    ),
    hint="A is b x kb, B is kb x b, C is b x b; double buffering keeps two copies of A and B (not C)",
    rtol=0,
    atol=0,
)

register(
    "sunway.summa_sources",
    reference=summa_sources,
    cases=lambda rng: [((t,), {}) for t in range(8)],
    hint="in step t, row r uses the A block of CPE (r, t) and column c the B block of CPE (t, c); id = row * 8 + col",
    rtol=0,
    atol=0,
)
