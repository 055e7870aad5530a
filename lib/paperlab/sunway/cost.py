"""The analytic cost model of one core group: compute, DMA, RLC, double buffering, spawn and MPE work.

A kernel is a list of **phases** per CPE. Each phase computes some flops and moves some bytes:

    t_comp = flops / (F_cpe * eta_simd(v) * eta),   eta_simd(v) = 1 / (v + L (1 - v))   (L = 4 lanes)
    t_dma  = sum of dma.dma_time(...) over the phase's DMA operations
    t_rlc  = sum of rlc.rlc_time(...) over its register sends (charged on the compute side)

A CPE's phase sequence costs ``sum(t_comp + t_rlc + t_dma)``, or with double buffering
``t_dma[0] + sum_i max(t_comp[i], t_dma[i+1]) + t_comp[last]`` (never larger). The kernel costs
``spawn_overhead + max over CPEs + MPE-side work``. Fidelity: calibrated analytic model, not cycle-accurate.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paperlab.sunway.arch import SW26010
from paperlab.sunway.dma import CALIBRATION_DIR, bw_cg, dma_time
from paperlab.sunway.rlc import rlc_time


class LDMOverflowError(ValueError):
    """A CPE's LDM buffers exceed the usable capacity (the message lists buffers, total and limit)."""


def ldm_check(buffers: Mapping[str, int], double_buffered=(), spec: SW26010 | None = None) -> int:
    """Total LDM bytes of ``buffers`` (name -> bytes) on one CPE; a double-buffered one counts twice.

    Raises:
        LDMOverflowError: the total exceeds ``spec.ldm_usable`` (60 KB by default).
    """
    spec = spec or SW26010()
    unknown = set(double_buffered) - set(buffers)
    if unknown:
        raise ValueError(f"double_buffered names unknown buffers: {sorted(unknown)}")
    sizes = {}
    for name, nbytes in buffers.items():
        if isinstance(nbytes, bool) or not isinstance(nbytes, int | np.integer) or nbytes < 0:
            raise ValueError(f"buffer {name!r} must have a non-negative int size in bytes, got {nbytes!r}")
        sizes[name] = int(nbytes) * (2 if name in double_buffered else 1)
    total = sum(sizes.values())
    if total > spec.ldm_usable:
        listing = ", ".join(
            f"{k}={v} B" + (" (x2)" if k in double_buffered else "") for k, v in sizes.items()
        )
        raise LDMOverflowError(
            f"LDM overflow: {listing}; total {total} B > usable {spec.ldm_usable} B "
            f"({spec.ldm_bytes} B - {spec.ldm_reserved} B reserved)"
        )
    return total


def eta_simd(vec_frac: float, lanes: int = 4) -> float:
    """Vector efficiency ``1 / (v + L (1 - v))``: 1 when all flops are vectorised, ``1/L`` when none are."""
    if not 0.0 <= vec_frac <= 1.0:
        raise ValueError(f"vec_frac must be in [0, 1], got {vec_frac!r}")
    return 1.0 / (vec_frac + lanes * (1.0 - vec_frac))


def compute_time(
    flops: float, vec_frac: float = 1.0, eta: float | None = None, spec: SW26010 | None = None
) -> float:
    """Seconds for one CPE to run ``flops``: ``flops / (F_cpe * eta_simd(v) * eta)``."""
    spec = spec or SW26010()
    if flops < 0:
        raise ValueError(f"flops must be non-negative, got {flops!r}")
    eta = spec.eta_kernel if eta is None else eta
    if not 0 < eta <= 1:
        raise ValueError(f"eta must be in (0, 1], got {eta!r}")
    return flops / (spec.cpe_peak * eta_simd(vec_frac, spec.vec_lanes) * eta)


@dataclass(frozen=True)
class DmaOp:
    """One DMA operation of a CPE: ``nbytes`` in ``n_desc`` descriptors of contiguous ``block`` bytes."""

    nbytes: float
    block: float | None = None
    n_desc: int = 1
    broadcast: bool = False


@dataclass(frozen=True)
class RlcOp:
    """``count`` register sends of ``nbytes`` in total over ``hops`` hops (a broadcast costs one hop).

    Time: ``count * latency * hops`` cycles of start-up plus ``ceil(nbytes / 32)`` cycles of transfer.
    """

    nbytes: float
    hops: int = 1
    count: int = 1

    def time(self, spec: SW26010) -> float:
        extra = (self.count - 1) * spec.rlc_latency_cycles * self.hops / spec.freq
        return rlc_time(self.nbytes, self.hops, spec) + extra


@dataclass(frozen=True)
class Phase:
    """Work of one CPE between two synchronisation points."""

    flops: float = 0.0
    vec_frac: float = 1.0
    dma: tuple[DmaOp, ...] = ()
    rlc: tuple[RlcOp, ...] = ()
    eta: float | None = None

    def times(self, spec: SW26010, n_active: int) -> tuple[float, float, float]:
        """``(t_comp, t_dma, t_rlc)`` in seconds with ``n_active`` CPEs sharing the DMA engine."""
        t_comp = compute_time(self.flops, self.vec_frac, self.eta, spec)
        t_dma = sum(dma_time(op.nbytes, op.block, op.n_desc, n_active, op.broadcast, spec) for op in self.dma)
        t_rlc = sum(op.time(spec) for op in self.rlc)
        return t_comp, t_dma, t_rlc


def sequence_time(t_comp: np.ndarray, t_dma: np.ndarray, double_buffered: bool) -> float:
    """Time of a phase sequence: ``sum(t_comp + t_dma)`` or, double-buffered,
    ``t_dma[0] + sum_i max(t_comp[i], t_dma[i+1]) + t_comp[-1]``."""
    t_comp, t_dma = np.asarray(t_comp, float), np.asarray(t_dma, float)
    if t_comp.size == 0:
        return 0.0
    if not double_buffered:
        return float(np.sum(t_comp + t_dma))
    return float(t_dma[0] + np.sum(np.maximum(t_comp[:-1], t_dma[1:])) + t_comp[-1])


@dataclass
class Timeline:
    """Result of :meth:`CGSim.run`. Times in seconds.

    ``per_cpe``: each active CPE's phase-sequence time; ``critical_cpe`` the slowest; ``comp``/``dma``/``rlc``
    the per-phase times of the critical CPE; ``total = spawn + max(per_cpe) + mpe``;
    ``utilisation = flops / (total * cg_peak)``; ``bound`` whichever of compute/DMA dominates.
    """

    total: float
    spawn: float
    mpe: float
    per_cpe: np.ndarray
    critical_cpe: int
    comp: np.ndarray
    dma: np.ndarray
    rlc: np.ndarray
    flops: float
    utilisation: float
    bound: str
    double_buffered: bool = False

    def table(self) -> list[dict]:
        """Per-phase rows of the critical CPE (microseconds) for ``fmt.table``."""
        return [
            {"phase": i, "compute_us": float(c * 1e6), "dma_us": float(d * 1e6), "rlc_us": float(r * 1e6)}
            for i, (c, d, r) in enumerate(zip(self.comp, self.dma, self.rlc, strict=True))
        ]


class CGSim:
    """Cost one kernel on one core group with the analytic model of ``spec``."""

    def __init__(self, spec: SW26010 | None = None):
        self.spec = spec or SW26010()

    def run(
        self, phases_per_cpe, double_buffered: bool = False, mpe_seconds: float = 0.0, launches: int = 1
    ) -> Timeline:
        """Time of a kernel.

        Args:
            phases_per_cpe: either one ``Sequence[Phase]`` run by all 64 CPEs, or a sequence of up to 64
                such lists (CPE ``i`` runs list ``i``; empty lists are idle CPEs, uneven lists show load
                imbalance).
            double_buffered: overlap each phase's compute with the next phase's DMA.
            mpe_seconds: serial MPE-side work added after the CPEs (e.g. :func:`mpe_time`).
            launches: number of ``athread_spawn``/``join`` pairs (each costs ``spec.spawn_overhead``).
        """
        spec = self.spec
        if isinstance(phases_per_cpe, Sequence) and phases_per_cpe and isinstance(phases_per_cpe[0], Phase):
            lists = [list(phases_per_cpe)] * spec.n_cpe
        else:
            lists = [list(p) for p in phases_per_cpe]
        if len(lists) > spec.n_cpe:
            raise ValueError(f"phases_per_cpe has {len(lists)} lists, more than the {spec.n_cpe} CPEs")
        if not any(lists):
            raise ValueError("phases_per_cpe must hold at least one phase")
        if launches < 0 or mpe_seconds < 0:
            raise ValueError("launches and mpe_seconds must be non-negative")
        n_active = sum(1 for p in lists if p)
        per_cpe = np.zeros(len(lists))
        detail, cache = {}, {}
        for i, phases in enumerate(lists):
            if id(phases) not in cache:  # the shared list of the one-list form is costed once
                arr = np.array([ph.times(spec, n_active) for ph in phases]).reshape(-1, 3)
                cache[id(phases)] = (sequence_time(arr[:, 0] + arr[:, 2], arr[:, 1], double_buffered), arr)
            per_cpe[i], detail[i] = cache[id(phases)]
        crit = int(np.argmax(per_cpe))
        arr = detail[crit]
        flops = float(sum(ph.flops for p in lists for ph in p))
        spawn = launches * spec.spawn_overhead
        total = spawn + float(per_cpe[crit]) + mpe_seconds
        bound = "compute" if arr[:, 0].sum() + arr[:, 2].sum() >= arr[:, 1].sum() else "dma"
        return Timeline(
            total=total,
            spawn=spawn,
            mpe=mpe_seconds,
            per_cpe=per_cpe,
            critical_cpe=crit,
            comp=arr[:, 0],
            dma=arr[:, 1],
            rlc=arr[:, 2],
            flops=flops,
            utilisation=flops / (total * spec.cg_peak) if total > 0 else 0.0,
            bound=bound,
            double_buffered=double_buffered,
        )


def mpe_time(flops: float, nbytes: float, spec: SW26010 | None = None) -> float:
    """Seconds for work left on the MPE: ``max(flops / (F_mpe * eta_mpe), nbytes / mpe_mem_bw)``."""
    spec = spec or SW26010()
    if flops < 0 or nbytes < 0:
        raise ValueError(f"flops and nbytes must be non-negative, got flops={flops!r}, nbytes={nbytes!r}")
    return max(flops / (spec.mpe_gflops * 1e9 * spec.eta_mpe), nbytes / spec.mpe_mem_bw)


def offload_time(
    flops: float,
    nbytes: float,
    spec: SW26010 | None = None,
    block_bytes: int = 8192,
    vec_frac: float = 1.0,
    eta: float | None = None,
    double_buffered: bool = True,
) -> Timeline:
    """Time of an evenly split streaming kernel on the 64 CPEs (spawn + double-buffered chunks).

    Each CPE streams ``nbytes / 64`` bytes in chunks of ``block_bytes`` and does its share of ``flops``.
    """
    spec = spec or SW26010()
    if flops < 0:
        raise ValueError(f"flops must be non-negative, got {flops!r}")
    if not nbytes > 0:
        raise ValueError(f"nbytes must be positive, got {nbytes!r}")
    per_cpe = nbytes / spec.n_cpe
    block = min(float(block_bytes), per_cpe)
    n_full, rest = divmod(per_cpe, block)
    sizes = [block] * int(n_full) + ([rest] if rest > 0 else [])
    phases = [
        Phase(flops=flops / spec.n_cpe * s / per_cpe, vec_frac=vec_frac, eta=eta, dma=(DmaOp(s),))
        for s in sizes
    ]
    return CGSim(spec).run(phases, double_buffered=double_buffered)


def roofline(
    spec: SW26010 | None = None, block_bytes: float | None = None, intensities=None, eta: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Attainable flop/s of one core group: ``min(eta * cg_peak, I * bw)`` at intensities ``I`` (flop/B).

    ``bw`` is the DMA saturation (``block_bytes=None``) or ``bw_cg(block_bytes)``. Default intensities:
    64 log-spaced points from 0.1 to 1,000 flop/B.
    """
    spec = spec or SW26010()
    I = np.logspace(-1, 3, 64) if intensities is None else np.asarray(intensities, dtype=float)
    if np.any(I <= 0):
        raise ValueError("intensities must be positive")
    bw = spec.dma_bw_cg if block_bytes is None else bw_cg(block_bytes, spec)
    return I, np.minimum(eta * spec.cg_peak, I * bw)


def gemm_ldm_plan(
    tile: int, k_tile: int, rlc: bool, itemsize: int = 4, double_buffered: bool = False
) -> dict[str, int]:
    """LDM buffers (name -> bytes per CPE) of the tiled GEMM kernels of ``paperlab.sunway.kernels``.

    Panel version: own A (``b x kb``), own B (``kb x b``), C (``b x b``). SUMMA adds receive buffers for the
    broadcast A and B blocks. Double buffering doubles the DMA-loaded buffers (A and B).
    """
    for name, v in (("tile", tile), ("k_tile", k_tile), ("itemsize", itemsize)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    m = 2 if double_buffered else 1
    plan = {"a": m * tile * k_tile * itemsize, "b": m * k_tile * tile * itemsize}
    if rlc:
        plan.update({"a_recv": tile * k_tile * itemsize, "b_recv": k_tile * tile * itemsize})
    plan["c"] = tile * tile * itemsize
    return plan


def estimate_layers(
    layers, batch: int, spec: SW26010 | None = None, on_mpe=(), itemsize: int = 4, block_bytes: int = 2048
) -> dict[str, np.ndarray]:
    """First-order per-layer time of a network on ONE core group (vectorised over layers).

    conv/fc: ``spawn + max(flops / (cg_peak * eta_kernel), bytes / bw_cg(block))``; other layers stream
    their bytes at ``eta_naive`` compute efficiency; a layer whose type is in ``on_mpe`` runs on the MPE
    (:func:`mpe_time`). ``bytes = (batch * (in + out) + params) * itemsize``.

    Returns columns ``name, type, flops, bytes, t_comp, t_dma, time`` (seconds) and ``bound``.
    """
    spec = spec or SW26010()
    if isinstance(batch, bool) or not isinstance(batch, int) or batch <= 0:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    types = np.array([ly.type for ly in layers])
    flops = np.array([ly.flops for ly in layers], dtype=float) * batch
    nbytes = (
        np.array([ly.in_elems + ly.out_elems for ly in layers], float) * batch
        + np.array([ly.params for ly in layers], float)
    ) * itemsize
    heavy = np.isin(types, ("conv", "fc"))
    eta = np.where(heavy, spec.eta_kernel, spec.eta_naive)
    t_comp = flops / (spec.cg_peak * eta)
    t_dma = nbytes / bw_cg(block_bytes, spec)
    time = spec.spawn_overhead + np.maximum(t_comp, t_dma)
    mpe = np.isin(types, tuple(on_mpe))
    t_mpe = np.maximum(flops / (spec.mpe_gflops * 1e9 * spec.eta_mpe), nbytes / spec.mpe_mem_bw)
    time = np.where(mpe, t_mpe, time)
    bound = np.where(mpe, "mpe", np.where(t_comp >= t_dma, "compute", "dma"))
    return {
        "name": np.array([ly.name for ly in layers]),
        "type": types,
        "flops": flops,
        "bytes": nbytes,
        "t_comp": t_comp,
        "t_dma": t_dma,
        "time": time,
        "bound": bound,
    }


def load_profile_2017() -> list[dict]:
    """swCaffe's Oct 2017 profile (``calibration/swcaffe_profile_2017.csv``): rows of
    ``network, item, seconds, where`` (``where``: mpe, cpe or all). AlexNet-BN: BN + Scale on the MPE took
    37.9 s of a 53.9 s iteration."""
    with (CALIBRATION_DIR / "swcaffe_profile_2017.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    return [
        {"network": r["network"], "item": r["item"], "seconds": float(r["seconds"]), "where": r["where"]}
        for r in rows
    ]
