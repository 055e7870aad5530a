"""Static accounting and modelled Sunway time of a lowered kernel (``paperlab.sunway`` cost model).

Counting (exact, per CPE ``p`` owning ``chunk_p`` iterations of the CPE-bound loop): a cache attached at
leaf position ``q`` runs ``n_q(p) = prod_{r <= q} E_r`` times (``E_par -> chunk_p``), each time moving
``bytes(tile)`` in ``n_desc`` descriptors. These are the numbers the emulator's counters must reproduce (T2).

Time (the critical CPE, i.e. the largest chunk): one **phase** is one iteration of the deepest attach loop,
``n`` phases in all. With ``t_comp = flops / (F_cpe eta_simd(v) eta)`` and DMA from
``paperlab.sunway.dma.dma_time`` (block = the contiguous run), synchronous DMA adds to each phase's
compute ``c``, double-buffered DMA ``d`` overlaps it (amortised evenly over the phases, a [D] model choice):

    T = spawn + n (c + d)                          without double buffering
    T = spawn + d + (n - 1) max(c, d) + c          with it (= sunway.cost.sequence_time of n equal phases)

``v = 1`` and ``eta = eta_kernel`` when the innermost loop is vectorised, else ``v = 0`` and
``eta = eta_naive`` (scalar code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperlab.compiler.emulate import flops_per_point
from paperlab.compiler.ir import PrimFunc
from paperlab.sunway.arch import SW26010
from paperlab.sunway.cost import compute_time
from paperlab.sunway.dma import MIN_CALIBRATED_BLOCK, check_block, dma_time

__all__ = ["CostReport", "static_counts", "estimate"]


@dataclass(frozen=True)
class CostReport:
    """Modelled time (s) of one kernel on one core group and its traffic (critical CPE and totals)."""

    time: float
    t_comp: float
    t_dma_sync: float
    t_dma_db: float
    n_phases: int
    flops: float
    dma_bytes: int
    descriptors: int
    min_block_bytes: int
    footprint: int
    n_active: int
    double_buffered: bool
    spawn: float = 0.0
    t_dma_small: float = 0.0  # DMA seconds of buffers whose blocks are below the calibrated range (< 64 B)

    @property
    def bound(self) -> str:
        return "compute" if self.t_comp >= self.t_dma_sync + self.t_dma_db else "dma"

    def as_row(self) -> dict:
        return {
            "time_us": self.time * 1e6,
            "comp_us": self.t_comp * 1e6,
            "dma_us": (self.t_dma_sync + self.t_dma_db) * 1e6,
            "ldm_B": self.footprint,
            "block_B": self.min_block_bytes,
            "bound": self.bound,
        }


def static_counts(func: PrimFunc) -> dict[str, np.ndarray]:
    """Per-CPE arrays (length 64) the emulator should measure: ``get_bytes``, ``put_bytes``, ``n_desc``,
    ``ldm_peak`` (every CPE allocates its buffers at entry) and ``flops``."""
    info = func.info
    chunks = info.chunks()
    n = len(chunks)
    out = {k: np.zeros(n, np.int64) for k in ("get_bytes", "put_bytes", "n_desc")}
    out["ldm_peak"] = np.full(n, info.footprint, np.int64)
    out["flops"] = np.zeros(n)
    block = int(np.prod([lp.extent for lp in info.leaves[info.block_pos + 1 :]], dtype=np.int64))
    for p, ch in enumerate(chunks):
        if ch == 0:
            continue
        for c in info.caches:
            k = info.n_exec(c.pos, ch)
            out["get_bytes" if c.kind == "read" else "put_bytes"][p] += k * c.nbytes
            out["n_desc"][p] += k * c.n_desc
        out["flops"][p] = info.n_exec(info.block_pos, ch) * block * flops_per_point(info)
    return out


def estimate(
    func: PrimFunc, spec: SW26010 | None = None, dma_scale: dict | None = None, extra_comp: dict | None = None
) -> CostReport:
    """Modelled time of ``func`` on one core group (see the module docstring).

    What-if knobs for the explorer: ``dma_scale[name]`` multiplies the DMA bytes of LDM buffer ``name``
    (e.g. ``1/8`` when one CPE per mesh column loads a tile and broadcasts it by RLC) and
    ``extra_comp[name]`` adds seconds of compute-side work per copy of that buffer (the RLC broadcast).
    """
    info = func.info
    dma_scale, extra_comp = dma_scale or {}, extra_comp or {}
    unknown = (set(dma_scale) | set(extra_comp)) - {c.name for c in info.caches}
    if unknown:
        raise ValueError(f"dma_scale/extra_comp name unknown LDM buffers {sorted(unknown)}")
    spec = spec or info.spec
    chunks = info.chunks()
    n_active = sum(1 for c in chunks if c > 0)
    cmax = max(chunks)
    n = info.n_exec(info.block_pos, cmax)
    block = int(np.prod([lp.extent for lp in info.leaves[info.block_pos + 1 :]], dtype=np.int64))
    flops = float(n * block * flops_per_point(info))
    vec = info.kinds[-1] == "vectorize"
    t_comp = compute_time(flops, 1.0 if vec else 0.0, spec.eta_kernel if vec else spec.eta_naive, spec)
    sync = db = small = 0.0
    nbytes = ndesc = 0
    for c in info.caches:
        k = info.n_exec(c.pos, cmax)
        nb = c.nbytes * dma_scale.get(c.name, 1.0)
        t = k * dma_time(nb, min(4 * c.run, nb), c.n_desc, n_active, spec=spec)
        t_comp += k * extra_comp.get(c.name, 0.0)
        if 4 * c.run < MIN_CALIBRATED_BLOCK:
            small += t
        if c.double_buffered:
            db += t
        else:
            sync += t
        nbytes += k * nb
        ndesc += k * c.n_desc
    check_block(min(4 * c.run for c in info.caches), func.name)
    cp, d = (t_comp + sync) / n, db / n
    t_cpe = d + (n - 1) * max(cp, d) + cp if db > 0 else n * (cp + d)
    return CostReport(
        time=spec.spawn_overhead + t_cpe,
        t_comp=t_comp,
        t_dma_sync=sync,
        t_dma_db=db,
        n_phases=n,
        flops=flops,
        dma_bytes=int(nbytes),
        descriptors=int(ndesc),
        min_block_bytes=min(4 * c.run for c in info.caches),
        footprint=info.footprint,
        n_active=n_active,
        double_buffered=db > 0,
        spawn=spec.spawn_overhead,
        t_dma_small=small,
    )
