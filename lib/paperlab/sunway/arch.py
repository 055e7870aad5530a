"""The SW26010 chip and the TaihuLight network as frozen dataclasses, each field with its provenance.

Units are SI throughout: seconds, bytes, bytes/s, Hz; peaks are in GFLOPS where the field name says so.
"KB" means 1,024 bytes. Make a variant with ``dataclasses.replace`` (or ``spec.replace(...)``)::

    big = SW26010().replace(ldm_bytes=256 * 1024)      # an SW26010-Pro-like LDM

Provenance tags: ``P`` paper or official source, ``S`` secondary source, ``M`` from memory (unchecked),
``A`` arithmetic from tagged facts, ``D`` design default of this project, ``V-data`` read from raw
measurements in a public repository, ``V-code`` read in a public repository's code.
Each entry of ``.provenance`` is ``Provenance(tag, source, valid_range)``; the range documents the values
the model was built for (it is not enforced, so that what-if sweeps stay possible).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

TAGS = ("P", "S", "M", "A", "D", "V-data", "V-code", "V-run")


class Provenance(NamedTuple):
    """Where a parameter comes from: ``tag`` (see module docstring), ``source``, documented ``valid_range``."""

    tag: str
    source: str
    valid_range: tuple[float, float]


_CHIP_PROVENANCE: dict[str, Provenance] = {
    "freq": Provenance("S", "1.45 GHz clock, public system pages", (1.0e9, 2.5e9)),
    "n_cg": Provenance("P", "Dongarra 2016 report: 4 core groups per chip", (1, 8)),
    "mesh": Provenance("P", "Dongarra 2016: 8x8 CPE mesh per core group", (1, 16)),
    "ldm_bytes": Provenance(
        "P", "Dongarra 2016: 64 KB local data memory (LDM/SPM) per CPE", (16 * 1024, 256 * 1024)
    ),
    "ldm_reserved": Provenance("D", "stack and runtime reserve, a project default", (0, 16 * 1024)),
    "vec_lanes": Provenance("V-code", "4-lane vectors (floatv4, SIMDSIZE 4 in feifeibear/SWCaffe)", (1, 8)),
    "fma_flops": Provenance("P", "fused multiply-add counts 2 flops (3.06 TFLOPS chip peak)", (1, 2)),
    "mpe_gflops": Provenance("A", "(3062.4 - 4 x 742.4) / 4 from the chip peak [P]", (10.0, 40.0)),
    "dram_peak_cg": Provenance("A", "DDR3-2133 x 16 B per core group [M inputs]", (20e9, 60e9)),
    "dma_t0": Provenance(
        "A",
        "per-descriptor start-up: joint fit to swCandle PE_CONT + PE_STEP copy, 64 B-24 KB",
        (0.3e-6, 3e-6),
    ),
    "dma_t_block": Provenance(
        "A", "per-block cost: joint fit to swCandle PE_CONT + PE_STEP copy, 64 B-24 KB", (0.5e-6, 3e-6)
    ),
    "dma_bw_cg": Provenance("A", "joint fit to swCandle PE_CONT + PE_STEP copy: 64 x bw_cpe", (10e9, 34.1e9)),
    "eta_bcast": Provenance(
        "A", "444 GB/s delivered / (64 x 20.4 GB/s), swCandle BCAST_CONT 24 KB", (0.1, 1.0)
    ),
    "rlc_latency_cycles": Provenance("M", "about 10-11 cycles point-to-point (swCandle paper)", (5, 30)),
    "rlc_bytes_per_cycle": Provenance("A", "one 256-bit register per cycle", (8, 64)),
    "spawn_overhead": Provenance(
        "D", "athread_spawn + join, 'a few to ~10 us' [M]; swept 1-20 us", (1e-6, 20e-6)
    ),
    "eta_kernel": Provenance(
        "D", "hand-tuned kernel efficiency; swDNN 54 % [P], Zhang et al. 81 % [P]", (0.3, 0.81)
    ),
    "eta_naive": Provenance("D", "naive scalar code efficiency", (0.05, 0.3)),
    "eta_mpe": Provenance(
        "D",
        "MPE efficiency on layer code; not constrained by the 2017 profile (BN/Scale are memory-bound)",
        (0.02, 0.5),
    ),
    "eta_conv_code": Provenance(
        "A",
        "swCaffe's deployed conv code relative to the kernel models: fit to the 2017 profile's AlexNet-BN "
        "conv time (11.0 s, batch 64, one CG); VGG-16 (112 s, batch 32) held out (paperlab.swcaffe.calibrate)",
        (0.02, 1.0),
    ),
    "mpe_mem_bw": Provenance(
        "A",
        "effective streaming bandwidth of layer code on the MPE, fit to the 2017 swCaffe profile's BN + Scale "
        "(37.9 s, AlexNet-BN, batch 64, paperlab.swcaffe.calibrate); the documented 2-20 GB/s [M] widened "
        "down to 0.02 GB/s on that evidence",
        (0.02e9, 20e9),
    ),
}

_NET_PROVENANCE: dict[str, Provenance] = {
    "n_nodes": Provenance("P", "40,960 nodes (Dongarra 2016)", (1, 40960)),
    "nodes_per_supernode": Provenance("P", "256 nodes per supernode (Dongarra 2016)", (1, 1024)),
    "alpha": Provenance("M", "MPI latency about 1 us; default 1.5 us, swept 1-2 us", (0.0, 10e-6)),
    "beta": Provenance("M", "MPI point-to-point about 12 GB/s", (1e9, 16e9)),
    "oversub": Provenance("A", "bisection taper 16 / 3.4 GB/s ~ 4.7 at full scale; default 4", (1.0, 8.0)),
    "injection": Provenance("S", "128 Gb/s = 16 GB/s per node (third-party system page)", (8e9, 32e9)),
    "bw_red": Provenance("A", "reduction on one core group's CPEs: DMA saturation ~21 GB/s", (5e9, 84e9)),
}


@dataclass(frozen=True)
class SW26010:
    """One SW26010 chip: 4 core groups, each 1 MPE + an 8x8 mesh of CPEs with 64 KB LDM.

    Fields (units): ``freq`` Hz; ``ldm_bytes``/``ldm_reserved`` bytes per CPE; ``mpe_gflops`` GFLOPS;
    ``dram_peak_cg``, ``dma_bw_cg`` (DMA saturation per core group), ``mpe_mem_bw`` bytes/s;
    ``dma_t0`` s per DMA descriptor, ``dma_t_block`` s per contiguous block; ``rlc_latency_cycles`` cycles; ``spawn_overhead`` s;
    ``eta_*`` dimensionless efficiencies in (0, 1].
    """

    freq: float = 1.45e9
    n_cg: int = 4
    mesh: tuple[int, int] = (8, 8)
    ldm_bytes: int = 64 * 1024
    ldm_reserved: int = 4 * 1024
    vec_lanes: int = 4
    fma_flops: int = 2
    mpe_gflops: float = 23.2
    dram_peak_cg: float = 34.1e9
    dma_t0: float = 0.81e-6
    dma_t_block: float = 1.29e-6
    dma_bw_cg: float = 20.85e9
    eta_bcast: float = 0.34
    rlc_latency_cycles: int = 11
    rlc_bytes_per_cycle: int = 32
    spawn_overhead: float = 5e-6
    eta_kernel: float = 0.6
    eta_naive: float = 0.2
    eta_mpe: float = 0.1
    mpe_mem_bw: float = 0.0659e9
    eta_conv_code: float = 0.332

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "mesh":
                if len(v) != 2 or any(not isinstance(x, int) or x < 1 for x in v):
                    raise ValueError(f"mesh must be two positive ints, got {v!r}")
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise TypeError(f"{f.name} must be a finite number, got {v!r}")
            if v < 0 or (v == 0 and f.name not in ("ldm_reserved", "spawn_overhead")):
                raise ValueError(f"{f.name} must be positive, got {v!r}")
        if self.ldm_reserved >= self.ldm_bytes:
            raise ValueError(
                f"ldm_reserved ({self.ldm_reserved} B) must be below ldm_bytes ({self.ldm_bytes} B)"
            )
        for name in ("eta_bcast", "eta_kernel", "eta_naive", "eta_mpe", "eta_conv_code"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)}")

    # ---- derived quantities --------------------------------------------------------------------
    @property
    def provenance(self) -> dict[str, Provenance]:
        """Field name -> ``Provenance(tag, source, valid_range)``."""
        return dict(_CHIP_PROVENANCE)

    def replace(self, **changes) -> SW26010:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    @property
    def n_cpe(self) -> int:
        """CPEs per core group (64)."""
        return self.mesh[0] * self.mesh[1]

    @property
    def ldm_usable(self) -> int:
        """LDM bytes a kernel may allocate: ``ldm_bytes - ldm_reserved`` (60 KB by default)."""
        return self.ldm_bytes - self.ldm_reserved

    @property
    def cpe_peak(self) -> float:
        """CPE peak in flop/s: lanes x FMA x clock = 4 x 2 x 1.45 GHz = 11.6 GFLOPS (fp32 = fp64)."""
        return self.vec_lanes * self.fma_flops * self.freq

    @property
    def cg_peak(self) -> float:
        """CPE-cluster peak of one core group in flop/s (64 x 11.6 = 742.4 GFLOPS)."""
        return self.n_cpe * self.cpe_peak

    @property
    def chip_peak(self) -> float:
        """Chip peak in flop/s: 4 x (CPE cluster + MPE) = 3,062.4 GFLOPS."""
        return self.n_cg * (self.cg_peak + self.mpe_gflops * 1e9)

    @property
    def dma_bw_cpe(self) -> float:
        """Per-CPE share of the DMA saturation bandwidth, bytes/s (``dma_bw_cg / 64``)."""
        return self.dma_bw_cg / self.n_cpe

    @property
    def dma_half_block(self) -> float:
        """Block size (bytes) at which a long strided DMA reaches half its saturation: ``h = t_block * bw_cpe``.

        About 427 B with the joint swCandle fit; one contiguous DMA per descriptor also pays ``dma_t0``.
        """
        return self.dma_t_block * self.dma_bw_cpe

    def ridge(self, block_bytes: float | None = None, eta: float = 1.0) -> float:
        """Roofline ridge point of one core group in flop/B: ``eta * cg_peak / bw``.

        ``bw`` is the DMA saturation ``dma_bw_cg`` when ``block_bytes`` is None, else ``bw_cg(block)``.
        Default: 742.4 GFLOPS / 21 GB/s = 35.35 flop/B.
        """
        from paperlab.sunway.dma import bw_cg

        bw = self.dma_bw_cg if block_bytes is None else float(bw_cg(block_bytes, self))
        return eta * self.cg_peak / bw


@dataclass(frozen=True)
class TaihuLightNet:
    """The TaihuLight interconnect as a two-level model (see ``paperlab.sunway.net``).

    Fields (units): ``alpha`` s per message; ``beta``, ``injection``, ``bw_red`` bytes/s; ``oversub`` the
    over-subscription of the central network between supernodes; ``nodes_per_supernode`` and ``n_nodes``
    counts. ``beta`` may be ``inf`` and ``alpha`` 0 for idealised checks.
    """

    n_nodes: int = 40960
    nodes_per_supernode: int = 256
    alpha: float = 1.5e-6
    beta: float = 12e9
    oversub: float = 4.0
    injection: float = 16e9
    bw_red: float = 21e9

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
                raise TypeError(f"{f.name} must be a number, got {v!r}")
            if v < 0 or (v == 0 and f.name != "alpha"):
                raise ValueError(f"{f.name} must be positive, got {v!r}")
        if self.oversub < 1:
            raise ValueError(f"oversub must be >= 1, got {self.oversub}")

    @property
    def provenance(self) -> dict[str, Provenance]:
        """Field name -> ``Provenance(tag, source, valid_range)``."""
        return dict(_NET_PROVENANCE)

    def replace(self, **changes) -> TaihuLightNet:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


def provenance_rows(obj: SW26010 | TaihuLightNet) -> list[dict]:
    """Rows ``{field, value, tag, source, range}`` for a provenance table (notebook 00)."""
    rows = []
    for f in dataclasses.fields(obj):
        p = obj.provenance[f.name]
        v = getattr(obj, f.name)
        rows.append(
            {
                "field": f.name,
                "value": f"{v:.6g}" if isinstance(v, float) else str(v),
                "tag": p.tag,
                "source": p.source,
                "range": f"{p.valid_range[0]:g} .. {p.valid_range[1]:g}",
            }
        )
    return rows
