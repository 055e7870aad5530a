"""Logic of the scaling explorer widget (notebook 04)."""

from __future__ import annotations

from paperlab.sunway.arch import TaihuLightNet
from paperlab.swcaffe.net_estimate import estimate
from paperlab.swcaffe.scaling import grad_bytes, iteration_time


def scaling_point(
    model: str,
    batch: int,
    p: int,
    algo: str = "rhd_near",
    alpha_us: float = 1.5,
    beta_gbs: float = 12.0,
    oversub: float = 4.0,
    overlap: float = 0.0,
) -> dict[str, float]:
    """Speedup and efficiency of ``model`` at per-node ``batch`` on ``p`` nodes with the given network."""
    net = TaihuLightNet(alpha=alpha_us * 1e-6, beta=beta_gbs * 1e9, oversub=oversub)
    tc = estimate(model, batch).iter_s
    t = iteration_time(tc, grad_bytes(model), p, algo, net, overlap)
    sp = p * tc / t["t_iter"]
    return {**t, "speedup": sp, "efficiency": sp / p}
