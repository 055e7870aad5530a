"""E2: cost against the look-back L. Wall time of forward + backward (median of repeats), the bytes of
tensors autograd saves for the backward pass (the activation memory that grows with L; deterministic),
analytic multiply-adds, and the log-log slope."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from paperlab.jtft.model import JTFTConfig


def saved_bytes(model: nn.Module, x: torch.Tensor) -> int:
    """Bytes of all tensors saved for backward during ``model(x)`` (activation memory of one step)."""
    total = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x).sum()
    return total


def time_fwd_bwd(
    factory: Callable[[int], nn.Module],
    seq_lens: Sequence[int],
    c_in: int,
    batch: int,
    repeats: int = 3,
    warmup: int = 1,
    seed: int = 0,
) -> list[dict]:
    """For each L: build ``factory(L)``, run ``warmup`` then ``repeats`` forward+backward passes on
    random ``[batch, L, c_in]`` input; report the median seconds and saved activation MB."""
    if repeats <= 0:
        raise ValueError(f"repeats must be positive, got {repeats}")
    rows = []
    for seq_len in seq_lens:
        torch.manual_seed(seed)
        model = factory(seq_len).train()
        x = torch.randn(batch, seq_len, c_in)
        times = []
        for i in range(warmup + repeats):
            t0 = time.perf_counter()
            model(x).square().mean().backward()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
            model.zero_grad(set_to_none=True)
        rows.append(
            {"L": seq_len, "seconds": statistics.median(times), "saved_mb": saved_bytes(model, x) / 2**20}
        )
    return rows


def time_slopes_interleaved(
    factories: dict[str, Callable[[int], nn.Module]],
    seq_lens: dict[str, Sequence[int]],
    c_in: int,
    batch: int,
    repeats: int = 7,
    min_len: int = 384,
    seed: int = 0,
) -> dict[str, dict]:
    """Interleaved timing of forward + backward for every (model, L), ``repeats`` rounds.

    Every model is built once per L and warmed up once; each round times every (model, L) once, in an
    order rotated every round, so machine load hits all contenders alike. Returns, per model,
    ``{"L": [...], "seconds": [[round 0 per L], ...], "slopes": [one log-log slope over L >= min_len per
    round]}``: the per-round slopes are the sample behind the timing verdict.
    """
    if repeats <= 0:
        raise ValueError(f"repeats must be positive, got {repeats}")
    jobs = []
    for name, factory in factories.items():
        for seq_len in seq_lens[name]:
            torch.manual_seed(seed)
            model = factory(seq_len).train()
            x = torch.randn(batch, seq_len, c_in)
            jobs.append((name, seq_len, model, x))

    def step(model: nn.Module, x: torch.Tensor) -> float:
        t0 = time.perf_counter()
        model(x).square().mean().backward()
        dt = time.perf_counter() - t0
        model.zero_grad(set_to_none=True)
        return dt

    for _, _, model, x in jobs:  # warm-up
        step(model, x)
    times = {(name, seq_len): [] for name, seq_len, _, _ in jobs}
    for rnd in range(repeats):
        k = rnd % len(jobs)
        for name, seq_len, model, x in jobs[k:] + jobs[:k]:
            times[(name, seq_len)].append(step(model, x))
    out = {}
    for name in factories:
        lens = list(seq_lens[name])
        per_round = [[times[(name, L)][r] for L in lens] for r in range(repeats)]
        fit = [i for i, L in enumerate(lens) if L >= min_len]
        slopes = (
            [loglog_slope([lens[i] for i in fit], [row[i] for i in fit]) for row in per_round]
            if len(fit) >= 2
            else []
        )
        out[name] = {"L": lens, "seconds": per_round, "slopes": slopes}
    return out


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope k of log y = k log x + c (t = a·L^k gives k)."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if len(x) < 2 or len(x) != len(y):
        raise ValueError(f"xs and ys must have the same length >= 2, got {len(x)} and {len(y)}")
    if (x <= 0).any() or (y <= 0).any():
        raise ValueError("xs and ys must be positive for a log-log fit")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def analytic_flops(config: JTFTConfig, seq_len: int | None = None) -> dict[str, float]:
    """Forward multiply-adds per sample of each JTFT stage (section 2.12 of the brief).

    CDCT: C·P·N·M (linear in L through N); encoder: C·e·[(M+T)²d·2 + (M+T)(4d² + 2d·d_ff)];
    LRA: (M+T)·C·r·d-type terms; head: C·(M+T)·d·H.
    """
    cfg = config if seq_len is None else config.with_(seq_len=seq_len)
    c, p, n, m = cfg.c_in, cfg.patch_len, cfg.n_patches, cfg.n_freq
    tok, d = cfg.n_tokens, cfg.d_model
    out = {
        "cdct": c * p * n * m,
        "embed": c * tok * p * d,
        "encoder": c * cfg.e_layers * (2 * tok**2 * d + tok * (4 * d * d + 2 * d * cfg.d_ff)),
        "lra": cfg.e_layers_tfi * tok * c * (cfg.rank * d + 2 * d * d),
        "head": c * tok * d * cfg.pred_len,
    }
    out["total"] = float(sum(out.values()))
    return out
