"""The alpha-beta cost model of dense all-reduce against sparse all-gather (Thakur, Rabenseifner, Gropp).

Units: seconds and bytes. alpha = latency per message, beta = seconds per byte (1 / bandwidth),
gamma = reduction compute per byte. A layer of N fp32 elements is M = 4N bytes dense; its sparse
message is m = b D N bytes (b = 8: fp32 value + int32 index).

    ring all-reduce           T_AR = 2(p-1) alpha + 2 (p-1)/p M beta + (p-1)/p M gamma
    Rabenseifner all-reduce        2 log2(p) alpha + 2 (p-1)/p M beta + (p-1)/p M gamma
    recursive-doubling gather T_AG = ceil(log2 p) alpha + (p-1) m beta     (ring: (p-1) alpha + ...)

Bandwidth-only break-even: (p-1) b D N < 2 (p-1)/p 4 N  <=>  p < 8 / (b D).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Network:
    """alpha: latency (s); beta: s per byte; gamma: reduction s per byte."""

    alpha: float
    beta: float
    gamma: float = 0.0

    @classmethod
    def from_gbps(cls, gbps: float, alpha: float, gamma: float = 0.0) -> Network:
        """A link of ``gbps`` gigabits per second: beta = 8 / (gbps 1e9) s per byte."""
        if not gbps > 0:
            raise ValueError(f"gbps must be positive, got {gbps!r}")
        return cls(alpha, 8.0 / (gbps * 1e9), gamma)


def _check_p(p) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if np.any(arr < 1):
        raise ValueError(f"p must be >= 1, got {p!r}")
    return arr


def t_allreduce_ring(nbytes: float, p, net: Network):
    """T_AR = 2(p-1) alpha + 2 (p-1)/p M beta + (p-1)/p M gamma."""
    p = _check_p(p)
    return 2 * (p - 1) * net.alpha + 2 * (p - 1) / p * nbytes * net.beta + (p - 1) / p * nbytes * net.gamma


def t_allreduce_rabenseifner(nbytes: float, p, net: Network):
    """2 log2(p) alpha + 2 (p-1)/p M beta + (p-1)/p M gamma."""
    p = _check_p(p)
    return 2 * np.log2(p) * net.alpha + 2 * (p - 1) / p * nbytes * net.beta + (p - 1) / p * nbytes * net.gamma


def t_allgather(nbytes_per_rank: float, p, net: Network, algo: str = "recursive_doubling"):
    """ceil(log2 p) alpha + (p-1) m beta (recursive doubling) or (p-1) alpha + (p-1) m beta (ring)."""
    p = _check_p(p)
    if algo == "recursive_doubling":
        lat = np.ceil(np.log2(p)) * net.alpha
    elif algo == "ring":
        lat = (p - 1) * net.alpha
    else:
        raise ValueError(f"algo must be 'recursive_doubling' or 'ring', got {algo!r}")
    return lat + (p - 1) * nbytes_per_rank * net.beta


def dense_iteration_time(n: float, p, net: Network, t_comp: float, overlap: bool = False):
    """T_dense = T_comp + T_AR (or max of the two with perfect overlap)."""
    t_ar = t_allreduce_ring(4 * n, p, net)
    return np.maximum(t_comp, t_ar) if overlap else t_comp + t_ar


def rgc_iteration_time(
    n: float,
    p,
    density: float,
    net: Network,
    t_comp: float,
    t_select: float = 0.0,
    t_decompress: float = 0.0,
    bytes_per_elem: float = 8,
    overlap: bool = False,
):
    """T_RGC = T_comp + T_sel + T_AG + T_dec (communication overlapped with compute when ``overlap``)."""
    t_ag = t_allgather(bytes_per_elem * density * n, p, net)
    if overlap:
        return np.maximum(t_comp, t_ag) + t_select + t_decompress
    return t_comp + t_select + t_ag + t_decompress


def speedup(
    n: float,
    p,
    density: float,
    net: Network,
    t_comp: float = 0.0,
    t_select: float = 0.0,
    t_decompress: float = 0.0,
    bytes_per_elem: float = 8,
    overlap: bool = False,
):
    """S = T_dense / T_RGC (with t_comp = 0: the communication-only ratio T_AR / T_AG)."""
    return dense_iteration_time(n, p, net, t_comp, overlap) / rgc_iteration_time(
        n, p, density, net, t_comp, t_select, t_decompress, bytes_per_elem, overlap
    )


def break_even_p(
    density: float,
    bytes_per_elem: float = 8,
    *,
    net: Network | None = None,
    n: float | None = None,
    t_select: float = 0.0,
    t_decompress: float = 0.0,
    p_max: int = 1_000_000,
) -> float:
    """The p at which sparse all-gather stops beating dense all-reduce.

    Without ``net`` and ``n``: the bandwidth-only closed form 8 / (b D) (1000 for b = 8, D = 1e-3).
    With them: the smallest integer p >= 2 where T_AG + T_sel + T_dec >= T_AR (``inf`` if none <= p_max).
    """
    if not 0 < density <= 1:
        raise ValueError(f"density must lie in (0, 1], got {density!r}")
    if net is None or n is None:
        return 8.0 / (bytes_per_elem * density)
    p = np.arange(2, p_max + 1, dtype=float)
    lose = t_allgather(bytes_per_elem * density * n, p, net) + t_select + t_decompress >= t_allreduce_ring(
        4 * n, p, net
    )
    hit = np.flatnonzero(lose)
    return float(p[hit[0]]) if hit.size else math.inf


WEIGHTINGS = ("relative", "none")


def fit_alpha_beta(sizes_bytes, times_s, weighting: str = "relative") -> tuple[Network, np.ndarray]:
    """Fit t = alpha + beta * size; returns the network and the residuals (s).

    ``weighting="relative"`` minimises sum ((t_i - alpha - beta s_i) / t_i)^2, the relative error, so the
    latency-dominated small messages count as much as the large ones; ``"none"`` is ordinary least
    squares, which the largest sizes dominate (its intercept is then a poor latency).
    """
    x, y = np.asarray(sizes_bytes, dtype=float), np.asarray(times_s, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("sizes_bytes and times_s must be 1-D with the same length >= 2")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise ValueError("times_s must be positive and finite")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}")
    w = 1.0 / y if weighting == "relative" else np.ones_like(y)
    a = np.stack([np.ones_like(x), x], axis=1) * w[:, None]
    (alpha, beta), *_ = np.linalg.lstsq(a, y * w, rcond=None)
    return Network(float(alpha), float(beta)), y - (alpha + beta * x)


def heldout_errors(net: Network, sizes_bytes, times_s) -> dict:
    """Prediction errors of the line t = alpha + beta s on held-out sizes.

    Returns ``predicted`` (s), ``rel_err`` (predicted / measured - 1) and ``worst_factor`` (the largest
    max(pred / meas, meas / pred); inf when a prediction is not positive).
    """
    x, y = np.asarray(sizes_bytes, dtype=float), np.asarray(times_s, dtype=float)
    if x.shape != y.shape or x.size < 1 or not np.all(y > 0):
        raise ValueError("sizes_bytes and times_s must have the same length >= 1, with positive times")
    pred = net.alpha + net.beta * x
    factor = np.where(pred > 0, np.maximum(pred / y, y / np.where(pred > 0, pred, 1.0)), np.inf)
    return {"predicted": pred.tolist(), "rel_err": (pred / y - 1).tolist(), "worst_factor": float(factor.max())}


def predicted_speedup_grid(n: float, density: float, ps, gbps, alpha: float = 50e-6, **kw) -> np.ndarray:
    """Speed-up S[i, j] for bandwidth ``gbps[i]`` and node count ``ps[j]`` (kwargs go to :func:`speedup`)."""
    ps = np.asarray(ps, dtype=float)
    return np.stack([speedup(n, ps, density, Network.from_gbps(b, alpha), **kw) for b in np.atleast_1d(gbps)])
