"""Autograded exercises of the swTVM series (references come from the library)."""

from __future__ import annotations

import math

from paperlab.compiler.lower import dma_plan
from paperlab.core.exercises import register
from paperlab.sunway.arch import SW26010
from paperlab.sunway.dma import bw_cg


def dma_descriptor(tile, global_shape) -> tuple[int, int, int, int]:
    """(block bytes, blocks per descriptor, source stride bytes, descriptors) of an fp32 tile (01)."""
    p = dma_plan(tuple(tile), tuple(global_shape))
    return 4 * p["run"], p["count"], 4 * p["stride"], p["n_desc"]


def ldm_footprint(shapes: dict, double_buffered: tuple = ()) -> int:
    """Bytes of fp32 LDM buffers ``name -> shape``; a double-buffered one counts twice (02)."""
    return sum(4 * math.prod(s) * (2 if n in double_buffered else 1) for n, s in shapes.items())


def cpe_range(cpe: int, extent: int, n_cpe: int = 64) -> tuple[int, int]:
    """Block distribution: ``[cpe * ceil(E / P), min(E, (cpe + 1) * ceil(E / P)))`` (empty: lo >= hi) (02)."""
    c = -(-extent // n_cpe)
    return cpe * c, min(extent, (cpe + 1) * c)


def fc_dma_floor(in_features: int, out_features: int, batch: int = 1, block_bytes: float = 8192.0) -> float:
    """Lower bound (s) of a dense layer on one core group: every weight byte crosses DMA once,
    ``4 I O / bw_cg(block)`` (the inputs and outputs are negligible at batch 1) (03)."""
    return 4.0 * in_features * out_features / bw_cg(block_bytes, SW26010())


def rlc_weight_bytes(weight_bytes: float, rows: int = 8) -> float:
    """DMA bytes of a weight tile when one CPE per mesh column loads it and broadcasts it down the column
    with RLC instead of all 8 CPEs loading it: ``weight_bytes / rows`` (04)."""
    return weight_bytes / rows


def _tiles(rng):
    out = []
    for _ in range(6):
        g = tuple(int(x) for x in rng.integers(2, 40, size=int(rng.integers(2, 4))))
        t = tuple(int(rng.integers(1, e + 1)) for e in g)
        out.append(((t, g), {}))
    out.append((((32, 16), (128, 128)), {}))
    out.append((((32, 128), (128, 128)), {}))
    return out


register(
    "swtvm.dma_descriptor",
    dma_descriptor,
    _tiles,
    hint="Merge dimensions from the innermost outwards while the tile spans the whole tensor row "
    "(extent-1 dimensions do not matter); the first partial one gives count and stride.",
)
register(
    "swtvm.ldm_footprint",
    ldm_footprint,
    lambda rng: [
        (({"A": (32, 16), "B": (16, 64), "C": (32, 64)},), {"double_buffered": ("A", "B")}),
        (({"X": tuple(int(v) for v in rng.integers(1, 30, 3))},), {}),
        (({"W": (8, 8, 3, 3), "Y": (8, 14)},), {"double_buffered": ("W",)}),
    ],
    hint="4 bytes per float32 element; multiply a double-buffered buffer by 2.",
)
register(
    "swtvm.cpe_range",
    cpe_range,
    lambda rng: (
        [((int(p), int(e)), {}) for p, e in zip(rng.integers(0, 64, 8), rng.integers(1, 300, 8), strict=True)]
        + [((63, 100), {}), ((0, 64), {})]
    ),
    hint="chunk = ceil(E / 64); the last CPEs may get a short or empty range (lo >= hi).",
)
register(
    "swtvm.fc_dma_floor",
    fc_dma_floor,
    lambda rng: (
        [
            ((int(i), int(o)), {})
            for i, o in zip(rng.integers(256, 30000, 4), rng.integers(10, 5000, 4), strict=True)
        ]
        + [((4096, 4096), {"block_bytes": 512.0})]
    ),
    hint="Bytes = 4 * in * out; bandwidth = paperlab.sunway.dma.bw_cg(block_bytes).",
    rtol=1e-9,
)
register(
    "swtvm.rlc_weight_bytes",
    rlc_weight_bytes,
    lambda rng: [((float(b),), {}) for b in rng.integers(1000, 100000, 4)] + [((4608.0,), {"rows": 4})],
    hint="Only one CPE per column reads the tile from memory.",
)

__all__ = ["dma_descriptor", "ldm_footprint", "cpe_range", "fc_dma_floor", "rlc_weight_bytes"]
