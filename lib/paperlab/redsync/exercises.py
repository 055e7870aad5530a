"""Autograded exercises of the RedSync series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.core.exercises import register
from paperlab.redsync.codec import SparseMessage, pack
from paperlab.redsync.cost import Network, break_even_p
from paperlab.redsync.memory import ResidualMemory
from paperlab.redsync.selection import TrimmedTopK


def rgc_step_reference(residual: torch.Tensor, g: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One RGC step on a 1-D tensor: returns (dense vector of what is sent, new residual)."""
    mem = ResidualMemory()
    mem.v["w"] = residual.clone()
    v = mem.compensate("w", g)
    idx = torch.topk(v.abs(), k).indices
    sent = torch.zeros_like(v).index_put_((idx,), v[idx])
    mem.update("w", idx)
    return sent, mem.residual("w")


def _rgc_cases(rng: np.random.Generator):
    out = []
    for n, k in ((10, 1), (50, 5), (1000, 3)):
        r = torch.from_numpy(rng.normal(size=n))
        g = torch.from_numpy(rng.normal(size=n))
        out.append(((r, g, k), {}))
    return out


register(
    "redsync.rgc_step",
    reference=rgc_step_reference,
    cases=_rgc_cases,
    hint="v = residual + g; idx = torch.topk(v.abs(), k).indices; sent = zeros with v[idx] at idx; "
    "the new residual is v with v[idx] set to 0",
    rtol=0,
    atol=0,
)


def trimmed_topk_reference(x: torch.Tensor, k: int, eps: float = 0.2) -> torch.Tensor:
    """Sorted indices chosen by RedSync's trimmed top-k."""
    return torch.sort(TrimmedTopK(eps).select(x, k)).values


register(
    "redsync.trimmed_topk",
    reference=trimmed_topk_reference,
    cases=lambda rng: [
        ((torch.from_numpy(rng.normal(size=n)), k), {"eps": e})
        for n, k, e in ((100, 3, 0.2), (5000, 5, 0.2), (5000, 50, 0.1), (2000, 1999, 0.2))
    ],
    hint="a = |x|; tau(r) = mean(a) + r (max(a) - mean(a)); for r = 1 - eps, 1 - 2 eps, ... take the "
    "candidates a > tau; once there are >= k, return candidates[topk(a[candidates], k)] sorted; "
    "if r reaches 0, use topk on all of a",
)


def pack_reference(values: list[torch.Tensor], indices: list[torch.Tensor]) -> torch.Tensor:
    """The library's packed int32 buffer: counts, then values bit-cast to int32, then int32 indices."""
    return pack([SparseMessage(v, i, 1000) for v, i in zip(values, indices, strict=True)])


def _pack_cases(rng: np.random.Generator):
    out = []
    for counts in ((3,), (2, 5), (4, 0, 1)):
        vals = [torch.from_numpy(rng.normal(size=c).astype(np.float32)) for c in counts]
        idx = [torch.from_numpy(rng.choice(1000, size=c, replace=False)) for c in counts]
        out.append(((vals, idx), {}))
    return out


register(
    "redsync.pack",
    reference=pack_reference,
    cases=_pack_cases,
    hint="torch.cat([torch.tensor(counts, dtype=torch.int32), *[v.view(torch.int32) for v in values], "
    "*[i.to(torch.int32) for i in indices]])",
    rtol=0,
    atol=0,
)


def break_even_reference(
    density: float, n: float, gbps: float, alpha: float, bytes_per_elem: float = 8
) -> float:
    """Smallest p >= 2 where the sparse all-gather is no faster than the ring all-reduce."""
    return break_even_p(density, bytes_per_elem, net=Network.from_gbps(gbps, alpha), n=n)


register(
    "redsync.break_even",
    reference=break_even_reference,
    cases=lambda rng: [
        ((1e-3, 25.6e6, 10.0, 50e-6), {}),
        ((1e-3, 138e6, 10.0, 50e-6), {"bytes_per_elem": 4}),
        ((1e-2, 1e6, 1.0, 1e-5), {}),
    ],
    hint="beta = 8 / (gbps * 1e9); for p = 2, 3, ...: T_AR = 2(p-1) alpha + 2 (p-1)/p 4N beta; "
    "T_AG = ceil(log2 p) alpha + (p-1) b D N beta; return the first p with T_AG >= T_AR",
)
