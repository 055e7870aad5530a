"""Choosing which residual entries to send: exact top-k and RedSync's cheaper selections.

Every selector maps a residual ``x`` (any shape, float) and a count ``k`` to int64 indices into
``x.flatten()``. Let ``a = |x|``, ``mu = mean(a)``, ``M = max(a)`` and ``tau(r) = mu + r (M - mu)``.

* :class:`ExactTopK` -- ``torch.topk(a, k)``; exactly k indices (the reference).
* :class:`TrimmedTopK` -- RedSync (a): lower ``r`` in steps of ``eps`` until ``#{a > tau(r)} >= k``,
  then run top-k on those candidates only. Exact result, exactly k indices.
* :class:`ThresholdBinarySearch` -- RedSync (b): bisect ``r`` until ``#{a > tau(r)}`` falls in
  ``[k w_lo, k w_hi]`` and send *all* of them. Variable size, always a superset of a top-k set.
* :class:`ReusedThreshold` -- RedSync (c): reuse the last threshold for ``every`` calls per layer.
* :class:`SampledThreshold` -- DGC: threshold from a 1% strided sample, adapted within bounds.

``fixed_size`` says whether every rank sends exactly ``k`` entries (then no size exchange is needed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real

import torch
from torch import Tensor


def check_density(density: object, name: str = "density") -> float:
    """Return ``density`` as a float in (0, 1]; raise ``ValueError`` naming ``name`` otherwise."""
    if isinstance(density, bool) or not isinstance(density, Real):
        raise ValueError(f"{name} must be a real number in (0, 1], got {type(density).__name__}")
    d = float(density)
    if not math.isfinite(d) or d <= 0.0 or d > 1.0:
        raise ValueError(f"{name} must lie in (0, 1], got {density!r}")
    return d


def num_selected(numel: int, density: float) -> int:
    """k = ceil(D N), at least 1 and at most N (``numel`` elements, ``density`` D in (0, 1])."""
    d = check_density(density)
    if isinstance(numel, bool) or not isinstance(numel, int) or numel < 1:
        raise ValueError(f"numel must be a positive int, got {numel!r}")
    # round first so that 0.001 * 1000 (= 1.0000000000000002) does not become 2
    return int(min(numel, max(1, math.ceil(round(d * numel, 9)))))


def _check_k(x: Tensor, k: int) -> Tensor:
    if not isinstance(x, Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got {type(x).__name__}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= x.numel():
        raise ValueError(f"k must be an int in [1, {x.numel()}], got {k!r}")
    return x.detach().flatten().abs()


def topk_indices(a: Tensor, k: int) -> Tensor:
    """Indices of the k largest entries of the 1-D magnitude tensor ``a`` (unsorted, int64)."""
    return torch.topk(a, k, sorted=False).indices


class ExactTopK:
    """idx = top-k(|x|) with ``torch.topk``: exactly k indices."""

    fixed_size = True

    def select(self, x: Tensor, k: int, key: object = None) -> Tensor:
        return topk_indices(_check_k(x, k), k)

    def __repr__(self) -> str:
        return "ExactTopK()"


@dataclass
class TrimmedTopK:
    """RedSync's trimmed top-k: top-k over the candidates ``a > tau(1 - j eps)``, j = 1, 2, ...

    The candidates are exactly the elements above a threshold, so the top-k among them is a top-k of
    the whole tensor. When ``r = 1 - j eps`` reaches 0 with too few candidates (or ``M == mu``), it
    falls back to ``torch.topk`` on the full tensor.
    """

    eps: float = 0.2
    fixed_size: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        if not 0.0 < float(self.eps) < 1.0:
            raise ValueError(f"eps must lie in (0, 1), got {self.eps!r}")

    def select(self, x: Tensor, k: int, key: object = None) -> Tensor:
        a = _check_k(x, k)
        mu, top = a.mean(), a.max()
        if top > mu:
            j = 1
            while (r := 1.0 - j * self.eps) > 0.0:
                cand = torch.nonzero(a > mu + r * (top - mu)).flatten()  # tau(r) = mu + r (M - mu)
                if cand.numel() >= k:
                    return cand[topk_indices(a[cand], k)]
                j += 1
        return topk_indices(a, k)


@dataclass
class ThresholdBinarySearch:
    """RedSync's threshold binary search: bisect r in [0, 1] until nnz = #{a > tau(r)} is in the window.

    Returns every index with ``a > tau``; nnz in ``[k w_lo, k w_hi]``. After ``max_iters`` probes it
    returns the last threshold that gave nnz >= k (a superset of the top-k); with no such probe, or
    when ``#{a > mu} < k`` or ``M == mu``, it falls back to exact top-k. ``last_threshold`` is the tau
    used (``None`` after an exact fallback) so that :class:`ReusedThreshold` can reuse it.
    """

    eps: float = 0.2
    window: tuple[float, float] = (1.0, 2.0)
    max_iters: int = 30
    fixed_size: bool = field(default=False, init=False)
    last_threshold: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if not 0.0 < float(self.eps) < 1.0:
            raise ValueError(f"eps must lie in (0, 1), got {self.eps!r}")
        lo, hi = self.window
        if lo < 1.0 or hi < lo:
            raise ValueError(f"window must satisfy 1 <= w_lo <= w_hi, got {self.window!r}")
        if self.max_iters < 1:
            raise ValueError(f"max_iters must be >= 1, got {self.max_iters!r}")

    def select(self, x: Tensor, k: int, key: object = None) -> Tensor:
        a = _check_k(x, k)
        mu, top = a.mean(), a.max()
        self.last_threshold = None
        if not top > mu or int((a > mu).sum()) < k:
            return topk_indices(a, k)
        lo, hi, best = 0.0, 1.0, None
        for _ in range(self.max_iters):
            r = 0.5 * (lo + hi)
            tau = mu + r * (top - mu)
            nnz = int((a > tau).sum())
            if nnz < k * self.window[0]:
                hi = r  # too few: lower the threshold
            elif nnz > k * self.window[1]:
                lo, best = r, tau  # too many (but a valid superset): raise the threshold
            else:
                best = tau
                break
        if best is None:  # never reached k within max_iters
            return topk_indices(a, k)
        self.last_threshold = float(best)
        return torch.nonzero(a > best).flatten()


@dataclass
class ReusedThreshold:
    """RedSync's threshold reuse: per layer ``key``, run ``inner`` every ``every`` calls, else reuse tau.

    Between recomputations the selection is one compare and one ``nonzero``. ``guard=(g_lo, g_hi)``
    recomputes at once when the reused tau gives nnz < g_lo k or nnz > g_hi k. ``inner_calls`` counts
    the searches (a test hook) and ``guard_hits`` the guard triggers.
    """

    inner: ThresholdBinarySearch = field(default_factory=ThresholdBinarySearch)
    every: int = 5
    guard: tuple[float, float] | None = (0.5, 4.0)
    fixed_size: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if isinstance(self.every, bool) or not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"every must be an int >= 1, got {self.every!r}")
        if self.guard is not None and not 0.0 <= self.guard[0] <= self.guard[1]:
            raise ValueError(f"guard must satisfy 0 <= g_lo <= g_hi, got {self.guard!r}")
        self._cache: dict[object, tuple[float | None, int]] = {}
        self.inner_calls = 0
        self.guard_hits = 0

    def _search(self, x: Tensor, k: int, key: object) -> Tensor:
        self.inner_calls += 1
        idx = self.inner.select(x, k)
        self._cache[key] = (self.inner.last_threshold, 1)
        return idx

    def select(self, x: Tensor, k: int, key: object = None) -> Tensor:
        a = _check_k(x, k)
        tau, age = self._cache.get(key, (None, 0))
        if tau is None or age >= self.every:
            return self._search(x, k, key)
        idx = torch.nonzero(a > tau).flatten()
        if self.guard is not None and not self.guard[0] * k <= idx.numel() <= self.guard[1] * k:
            self.guard_hits += 1
            return self._search(x, k, key)
        self._cache[key] = (tau, age + 1)
        return idx


@dataclass
class SampledThreshold:
    """DGC's sampled threshold: top-(D s) of a strided sample of size s = ceil(ratio N) sets tau.

    Keep ``a >= tau``; if nnz > upper k, run exact top-k on the survivors (exactly k); if nnz < lower k,
    lower tau by 0.8x and retry up to ``max_iters`` times, then fall back to exact top-k. The random
    start of the stride comes from a generator seeded with ``seed`` (deterministic per instance).
    """

    sample_ratio: float = 0.01
    lower: float = 0.8
    upper: float = 1.3
    max_iters: int = 10
    seed: int = 0
    fixed_size: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if not 0.0 < float(self.sample_ratio) <= 1.0:
            raise ValueError(f"sample_ratio must lie in (0, 1], got {self.sample_ratio!r}")
        if not 0.0 < self.lower <= 1.0 <= self.upper:
            raise ValueError(f"need 0 < lower <= 1 <= upper, got lower={self.lower!r}, upper={self.upper!r}")
        self._gen = torch.Generator().manual_seed(int(self.seed))

    def select(self, x: Tensor, k: int, key: object = None) -> Tensor:
        a = _check_k(x, k)
        n = a.numel()
        stride = max(1, round(1.0 / self.sample_ratio))
        start = int(torch.randint(stride, (1,), generator=self._gen))
        sample = a[start::stride] if start < n else a[:1]
        ks = max(1, math.ceil(k * sample.numel() / n))
        tau = torch.topk(sample, min(ks, sample.numel()), sorted=False).values.min()
        for _ in range(self.max_iters):
            cand = torch.nonzero(a >= tau).flatten()
            if cand.numel() > self.upper * k:
                return cand[topk_indices(a[cand], k)]
            if cand.numel() >= self.lower * k:
                return cand
            tau = tau * 0.8
        return topk_indices(a, k)


SELECTORS = {
    "exact": ExactTopK,
    "trimmed": TrimmedTopK,
    "binary_search": ThresholdBinarySearch,
    "reused": ReusedThreshold,
    "sampled": SampledThreshold,
}


def make_selector(name: str, **kwargs) -> object:
    """Build a selector by name (``exact``, ``trimmed``, ``binary_search``, ``reused``, ``sampled``)."""
    if name not in SELECTORS:
        raise ValueError(f"selector must be one of {', '.join(SELECTORS)}, got {name!r}")
    return SELECTORS[name](**kwargs)
