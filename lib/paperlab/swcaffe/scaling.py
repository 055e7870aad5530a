"""Weak scaling of data-parallel training (no overlap, as in swCaffe's ``solver.cpp``):

    T_iter(P) = T_comp(B) + T_allreduce(P, n_bytes)        (T_allreduce includes the CPE reduction 3m/bw_red)
    speedup(P) = P * T_iter(1) / T_iter(P)                 (T_iter(1) has no allreduce)

``overlap`` in [0, 1] hides that fraction of the allreduce behind the backward pass (not in the original code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paperlab.sunway.arch import SW26010, TaihuLightNet
from paperlab.sunway.models import param_count
from paperlab.sunway.net import allreduce_time
from paperlab.swcaffe.net_estimate import _model, estimate


def grad_bytes(model) -> int:
    """Bytes of the packed fp32 gradient buffer of ``model``."""
    return 4 * param_count(_model(model)[1])


def iteration_time(
    t_comp: float, nbytes: float, p: int, algo: str, net: TaihuLightNet | None = None, overlap: float = 0.0
) -> dict[str, float]:
    """``t_comp + (1 - overlap) * t_allreduce(p)`` and its parts (seconds)."""
    if not t_comp > 0:
        raise ValueError(f"t_comp must be positive, got {t_comp!r}")
    if not 0 <= overlap <= 1:
        raise ValueError(f"overlap must be in [0, 1], got {overlap!r}")
    t_ar = 0.0 if p == 1 else allreduce_time(algo, int(p), nbytes, net)[0]
    return {"t_comp": t_comp, "t_allreduce": t_ar, "t_iter": t_comp + (1 - overlap) * t_ar}


def speedup_curve(
    t_comp: float, nbytes: float, ps, algo: str, net: TaihuLightNet | None = None, overlap: float = 0.0
) -> dict[str, np.ndarray]:
    """Speedup and efficiency for every P in ``ps``."""
    ps = np.asarray(ps, dtype=np.int64)
    t = np.array([iteration_time(t_comp, nbytes, int(p), algo, net, overlap)["t_iter"] for p in ps])
    sp = ps * t_comp / t
    return {"p": ps, "t_iter": t, "speedup": sp, "efficiency": sp / ps}


def needed_t_comp(target_speedup: float, t_comm: float, p: int = 1024) -> float:
    """T_comp that gives ``target_speedup`` at ``p`` nodes: ``S = P Tc / (Tc + Tm)  =>  Tc = S Tm / (P - S)``."""
    if not 0 < target_speedup < p:
        raise ValueError(f"target_speedup must be in (0, p), got {target_speedup!r}")
    return target_speedup * t_comm / (p - target_speedup)


@dataclass(frozen=True)
class FitResult:
    """The per-node batch whose modelled speedup at ``p`` is closest to ``target``."""

    batch: int
    speedup: float
    target: float
    t_comp: float
    t_comm: float
    rel_err: float

    @property
    def within(self) -> bool:
        return abs(self.rel_err) <= 0.10


def fit_batch(
    t_comp_fn: Callable[[int], float],
    nbytes: float,
    target: float,
    batches,
    p: int = 1024,
    algo: str = "rhd_near",
    net: TaihuLightNet | None = None,
) -> FitResult:
    """Scan ``batches`` and return the one whose speedup at ``p`` is closest to ``target``."""
    batches = list(batches)
    if not batches:
        raise ValueError("batches must not be empty")
    t_comm = iteration_time(1.0, nbytes, p, algo, net)["t_allreduce"]
    best = None
    for b in batches:
        tc = t_comp_fn(b)
        sp = p * tc / (tc + t_comm)
        if best is None or abs(sp - target) < abs(best[1] - target):
            best = (b, sp, tc)
    b, sp, tc = best
    return FitResult(int(b), float(sp), float(target), float(tc), float(t_comm), float(sp / target - 1))


def fit_batch_for_target(
    model,
    target: float,
    batches,
    p: int = 1024,
    algo: str = "rhd_near",
    spec: SW26010 | None = None,
    net: TaihuLightNet | None = None,
    n_cg: int = 4,
) -> FitResult:
    """:func:`fit_batch` with ``T_comp(B)`` from the single-node estimate of ``model`` on ``n_cg`` core groups."""
    return fit_batch(
        lambda b: estimate(model, b, spec, n_cg=n_cg).iter_s, grad_bytes(model), target, batches, p, algo, net
    )


def speedup_at(
    model,
    batch: int,
    p: int = 1024,
    algo: str = "rhd_near",
    spec: SW26010 | None = None,
    net: TaihuLightNet | None = None,
    n_cg: int = 4,
) -> FitResult:
    """Modelled speedup of ``model`` at ``p`` nodes and a fixed per-node ``batch`` (``target`` is 0: no fit)."""
    tc = estimate(model, batch, spec, n_cg=n_cg).iter_s
    t_comm = iteration_time(1.0, grad_bytes(model), p, algo, net)["t_allreduce"]
    sp = p * tc / (tc + t_comm)
    return FitResult(int(batch), float(sp), 0.0, float(tc), float(t_comm), float("nan"))
