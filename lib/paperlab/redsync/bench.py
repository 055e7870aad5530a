"""Selection micro-benchmarks (all timing lives here). ``device="cuda"`` synchronises around timings."""

from __future__ import annotations

import time

import torch
from torch import Tensor

from paperlab.redsync.selection import num_selected


def make_residual(n: int, dist: str = "normal", seed: int = 0) -> Tensor:
    """n float32 residual-like values: standard normal, or heavy-tailed Student-t with 2 dof."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    gen = torch.Generator().manual_seed(seed)
    if dist == "normal":
        return torch.randn(n, generator=gen)
    if dist == "student_t2":
        z = torch.randn(n, generator=gen)
        chi2 = torch.randn(n, generator=gen) ** 2 + torch.randn(n, generator=gen) ** 2
        return z / torch.sqrt(chi2 / 2)  # t = Z / sqrt(chi^2_2 / 2)
    raise ValueError(f"dist must be 'normal' or 'student_t2', got {dist!r}")


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def time_selection(selector, x: Tensor, k: int, reps: int = 3, device: str = "cpu") -> dict:
    """Median CPU and wall time (ms) of ``selector.select(x, k)``, its nnz / k and its recall.

    Recall = |selected  intersect  exact top-k| / k. CPU time is process time (meaningless on CUDA).
    One untimed call comes first (it warms caches and primes a :class:`ReusedThreshold`).
    """
    x = x.to(device)
    exact = set(torch.topk(x.abs(), k, sorted=False).indices.cpu().tolist())
    idx = selector.select(x, k)
    cpu, wall = [], []
    for _ in range(reps):
        _sync(device)
        c0, w0 = time.process_time(), time.perf_counter()
        idx = selector.select(x, k)
        _sync(device)
        cpu.append(1e3 * (time.process_time() - c0))
        wall.append(1e3 * (time.perf_counter() - w0))
    sel = idx.cpu().tolist()
    return {
        "cpu_ms": sorted(cpu)[len(cpu) // 2],
        "wall_ms": sorted(wall)[len(wall) // 2],
        "nnz_over_k": len(sel) / k,
        "recall": len(exact.intersection(sel)) / k,
    }


def selection_table(
    n: int,
    density: float,
    methods: dict,
    reps: int = 3,
    dists=("normal", "student_t2"),
    device: str = "cpu",
    seed: int = 0,
) -> list[dict]:
    """One row per (method, distribution): ``method, dist, cpu_ms, wall_ms, nnz_over_k, recall``.

    ``methods`` maps a name to a zero-argument factory of a fresh selector (state is not shared).
    """
    k = num_selected(n, density)
    rows = []
    for d in dists:
        x = make_residual(n, d, seed)
        for name, factory in methods.items():
            rows.append({"method": name, "dist": d, **time_selection(factory(), x, k, reps, device)})
    return rows


def selection_interleaved(
    n: int,
    density: float,
    methods: dict,
    repeats: int = 7,
    dist: str = "normal",
    device: str = "cpu",
    seed: int = 0,
) -> dict:
    """Interleaved wall-clock timing of every selector on one residual tensor of ``n`` floats.

    Each round calls every method once, in an order that rotates every round, after one untimed warm-up
    round (which primes a reused threshold); on CUDA each call is synchronised. Returns ``times``
    (seconds per round, per method), ``nnz_over_k`` and ``recall`` (against the exact top-k) per method.
    """
    from paperlab.core.estimates import time_interleaved

    k = num_selected(n, density)
    x = make_residual(n, dist, seed).to(device)
    exact = set(torch.topk(x.abs(), k, sorted=False).indices.cpu().tolist())
    selectors = {name: factory() for name, factory in methods.items()}
    quality = {}
    for name, sel in selectors.items():
        got = sel.select(x, k).cpu().tolist()
        quality[name] = (len(got) / k, len(exact.intersection(got)) / k)

    def call(sel):
        def run():
            sel.select(x, k)
            _sync(device)

        return run

    times = time_interleaved({name: call(sel) for name, sel in selectors.items()}, repeats=repeats, warmup=1)
    return {
        "n": n,
        "k": k,
        "dist": dist,
        "device": device,
        "times": times,
        "nnz_over_k": {m: q[0] for m, q in quality.items()},
        "recall": {m: q[1] for m, q in quality.items()},
    }
