"""Logic of notebook 00's explorer: what an LDM size, a DMA block size and an oversubscription imply."""

from __future__ import annotations

from paperlab.sunway import net as netmod
from paperlab.sunway.arch import SW26010, TaihuLightNet
from paperlab.sunway.cost import gemm_ldm_plan
from paperlab.sunway.dma import bw_cg
from paperlab.sunway.rlc import tile_intensity

RESNET50_BYTES = 25_557_032 * 4  # fp32 gradients of ResNet-50


def largest_tile(usable_bytes: int, rlc: bool, itemsize: int = 4) -> int:
    """Largest ``b`` whose tiled-GEMM LDM plan (``k_tile = b``) fits ``usable_bytes`` (0 if none)."""
    b = 0
    while sum(gemm_ldm_plan(b + 1, b + 1, rlc, itemsize).values()) <= usable_bytes:
        b += 1
    return b


def summary(
    ldm_kb: float = 64,
    block: float = 2048,
    oversub: float = 4.0,
    ldm_reserved_kb: float = 4,
    p: int = 1024,
    spec: SW26010 | None = None,
    net: TaihuLightNet | None = None,
) -> dict[str, float]:
    """Feasible GEMM tiles, roofline-attainable GFLOPS and 1,024-node allreduce times (ms).

    Args:
        ldm_kb: LDM per CPE in KB (16-256 in the explorer); ``ldm_reserved_kb`` is kept for the stack.
        block: DMA block size in bytes (sets the bandwidth ``bw_cg(block)``).
        oversub: over-subscription of the network between supernodes.
        p: number of nodes for the allreduce (ResNet-50 fp32 gradients, reduction cost included).
    """
    if not ldm_kb > ldm_reserved_kb:
        raise ValueError(f"ldm_kb ({ldm_kb}) must exceed ldm_reserved_kb ({ldm_reserved_kb})")
    spec = (spec or SW26010()).replace(ldm_bytes=int(ldm_kb * 1024), ldm_reserved=int(ldm_reserved_kb * 1024))
    net = (net or TaihuLightNet()).replace(oversub=float(oversub))
    bw = float(bw_cg(block, spec))
    out: dict[str, float] = {
        "ldm_usable_bytes": spec.ldm_usable,
        "dma_gbps": bw / 1e9,
        "ridge_flop_per_byte": spec.cg_peak / bw,
    }
    for rlc in (True, False):
        tag = "rlc" if rlc else "panel"
        b = largest_tile(spec.ldm_usable, rlc)
        intensity = tile_intensity(b, rlc) if b else 0.0
        out[f"tile_{tag}"] = b
        out[f"intensity_{tag}"] = intensity
        out[f"gflops_{tag}"] = min(spec.cg_peak, intensity * bw) / 1e9
    for algo in ("rhd_near", "rhd_far", "ring", "binomial"):
        out[f"allreduce_ms_{algo}"] = netmod.allreduce_time(algo, p, RESNET50_BYTES, net)[0] * 1e3
    return out
