"""The TaihuLight network model and allreduce schedules (ring, recursive halving/doubling, binomial, PS).

Nodes are numbered consecutively; node ``i`` sits in supernode ``i // S`` (S = 256). A collective is a
list of synchronous **steps**, each a set of messages ``(src, dst, nbytes)``:

    t_step = max over its messages of  alpha + m / beta_eff  (+ 3 m / bw_red if the step reduces)
    beta_eff = beta inside a supernode;  beta_x = min(beta, S * beta / (oversub * f)) when leaving it,

with ``f`` the number of messages leaving the same supernode in that step. Schedules follow one
chunking rule shared with swCaffe's torch.distributed implementation: N elements split into P chunks,
chunk c holding ``q + (c < r)`` elements with ``q, r = divmod(N, P)`` (numpy ``array_split``);
empty messages are neither sent nor counted. Closed forms at ``oversub = 1`` without reduction cost:
ring ``2(P-1)(alpha + n/(P beta))``, RHD ``2 log2(P) alpha + 2 (P-1)/P n/beta``, binomial
``2 ceil(log2 P)(alpha + n/beta)``, parameter server ``2(P-1)(alpha + n/beta)``.

Cost: a ring schedule holds 2 P (P - 1) messages (2.1 million at P = 1,024), so the model is meant for
P up to a few thousand; ``allreduce_time`` groups identical messages and stays fast at P = 1,024.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from paperlab.sunway.arch import TaihuLightNet

ALGORITHMS = ("ring", "rhd_near", "rhd_far", "binomial", "ps")


def _check_algo_p(algo: str, p: int) -> None:
    if algo not in ALGORITHMS:
        raise ValueError(f"algo must be one of {', '.join(ALGORITHMS)}, got {algo!r}")
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 1:
        raise ValueError(f"p must be a positive int, got {p!r}")
    if algo.startswith("rhd") and p & (p - 1):
        raise ValueError(f"p must be a power of two for {algo} (got p={p}); use 'ring' or 'binomial' instead")


@lru_cache(maxsize=32)
def _structure(algo: str, p: int):
    """Per message: step, src, dst and its chunk set ``{lo + j*stride : j < length}``; per step: phase,
    reduces. Independent of the payload, so cached."""
    ranks = np.arange(p, dtype=np.int64)
    step, src, dst, lo, length, stride, phases, reduces = [], [], [], [], [], [], [], []

    def add(s_src, s_dst, s_lo, s_len, s_stride, phase, red):
        k = len(phases)
        n = len(s_src)
        step.append(np.full(n, k, dtype=np.int64))
        src.append(np.asarray(s_src, np.int64))
        dst.append(np.asarray(s_dst, np.int64))
        lo.append(np.broadcast_to(np.asarray(s_lo, np.int64), (n,)))
        length.append(np.broadcast_to(np.asarray(s_len, np.int64), (n,)))
        stride.append(np.broadcast_to(np.asarray(s_stride, np.int64), (n,)))
        phases.append(phase)
        reduces.append(red)

    if p > 1 and algo == "ring":  # built in one piece: 2 (P - 1) steps of P messages
        s = np.arange(p - 1, dtype=np.int64)[:, None]
        rs_chunk = (ranks[None, :] - s) % p  # reduce-scatter step s: send chunk (rank - s) % P to next
        ag_chunk = (ranks[None, :] - s + 1) % p  # allgather step s: send chunk (rank - s + 1) % P
        n = 2 * (p - 1) * p
        ones = np.ones(n, dtype=np.int64)
        out = (
            np.repeat(np.arange(2 * (p - 1), dtype=np.int64), p),
            np.tile(ranks, 2 * (p - 1)),
            np.tile((ranks + 1) % p, 2 * (p - 1)),
            np.concatenate([rs_chunk.ravel(), ag_chunk.ravel()]),
            ones,
            ones,
        )
        for a in out:
            a.setflags(write=False)
        phases = ("reduce_scatter",) * (p - 1) + ("allgather",) * (p - 1)
        return (*out, phases, np.array([True] * (p - 1) + [False] * (p - 1)))
    elif p > 1 and algo in ("rhd_near", "rhd_far"):
        k_steps = int(np.log2(p))
        masks = [1 << i for i in range(k_steps)]
        if algo == "rhd_far":
            masks = masks[::-1]
        for m in masks:  # recursive halving: send the half the partner keeps
            partner = ranks ^ m
            if algo == "rhd_near":  # owned: c = rank mod m; partner keeps c = partner mod 2m
                add(ranks, partner, partner & (2 * m - 1), p // (2 * m), 2 * m, "reduce_scatter", True)
            else:  # owned: a range of 2m chunks; partner keeps [partner & ~(m-1), +m)
                add(ranks, partner, partner & ~(m - 1), m, 1, "reduce_scatter", True)
        for m in masks[::-1]:  # recursive doubling: send everything owned
            partner = ranks ^ m
            if algo == "rhd_near":
                add(ranks, partner, ranks & (2 * m - 1), p // (2 * m), 2 * m, "allgather", False)
            else:
                add(ranks, partner, ranks & ~(m - 1), m, 1, "allgather", False)
    elif p > 1 and algo == "binomial":
        d = 1
        while d < p:  # reduce to rank 0
            snd = ranks[ranks % (2 * d) == d]
            add(snd, snd - d, 0, p, 1, "reduce", True)
            d *= 2
        d = 1 << (int(np.ceil(np.log2(p))) - 1)
        while d >= 1:  # broadcast from rank 0
            snd = ranks[(ranks % (2 * d) == 0) & (ranks + d < p)]
            add(snd, snd + d, 0, p, 1, "broadcast", False)
            d //= 2
    elif p > 1 and algo == "ps":  # server = rank 0; its link serialises every transfer
        for w in range(1, p):
            add([w], [0], 0, p, 1, "push", True)
        for w in range(1, p):
            add([0], [w], 0, p, 1, "pull", False)
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)
    out = tuple(cat(x) for x in (step, src, dst, lo, length, stride))
    for a in out:
        a.setflags(write=False)
    return (*out, tuple(phases), np.array(reduces, dtype=bool))


@dataclass(frozen=True)
class Schedule:
    """An allreduce as synchronous steps. Per message (sorted by step): ``step``, ``src``, ``dst``,
    ``nbytes``; per step: ``phase`` (name), ``reduces`` (bool). Build with :func:`allreduce_schedule`."""

    algo: str
    p: int
    n_elems: int
    itemsize: int
    group_size: int
    step: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    nbytes: np.ndarray
    phase: tuple[str, ...]
    reduces: np.ndarray

    @property
    def n_steps(self) -> int:
        return len(self.phase)

    def messages(self) -> list[tuple[str, int, int, int, int]]:
        """Every message as ``(phase, step_in_phase, src, dst, nbytes)`` in schedule order."""
        first = {}
        for k, ph in enumerate(self.phase):
            first.setdefault(ph, k)
        return [
            (self.phase[k], int(k - first[self.phase[k]]), int(s), int(d), int(b))
            for k, s, d, b in zip(self.step, self.src, self.dst, self.nbytes, strict=True)
        ]


def allreduce_schedule(algo: str, p: int, n_elems: int, itemsize: int = 4, group_size: int = 256) -> Schedule:
    """The explicit schedule of ``algo`` for ``p`` ranks reducing ``n_elems`` elements of ``itemsize`` bytes.

    Algorithms: ``ring`` (reduce-scatter + allgather, P-1 steps each), ``rhd_near`` (recursive halving with
    masks 1, 2, 4, ... then doubling in reverse: largest messages to the nearest ranks), ``rhd_far``
    (masks P/2, ..., 1), ``binomial`` (tree reduce to rank 0 + tree broadcast), ``ps`` (parameter server
    on rank 0, one transfer at a time). ``group_size`` is the supernode size used for statistics.
    """
    _check_algo_p(algo, p)
    for name, v in (("n_elems", n_elems), ("itemsize", itemsize), ("group_size", group_size)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    step, src, dst, lo, length, stride, phases, reduces = _structure(algo, int(p))
    q, r = divmod(int(n_elems), int(p))
    # elements of a chunk set {lo + j*stride}: length*q + #{j : lo + j*stride < r}
    below = np.clip(-((lo - r) // stride), 0, length)
    elems = length * q + below
    keep = elems > 0
    if not keep.all():
        step, src, dst, elems = step[keep], src[keep], dst[keep], elems[keep]
    return Schedule(
        algo,
        int(p),
        int(n_elems),
        int(itemsize),
        int(group_size),
        step,
        src,
        dst,
        elems * itemsize,
        phases,
        reduces,
    )


def schedule_time(
    schedule: Schedule, net: TaihuLightNet | None = None, reduce_cost: bool = True
) -> tuple[float, dict[str, np.ndarray]]:
    """Modelled time (s) of ``schedule`` on ``net`` and a per-step table.

    Table columns: ``step``, ``phase``, ``n_messages``, ``max_bytes``, ``cross_messages`` (leaving a
    supernode), ``time`` (s). Reduction costs ``3 m / bw_red`` per reducing message when ``reduce_cost``.
    """
    net = net or TaihuLightNet()
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, got {type(schedule).__name__}")
    if schedule.p > net.n_nodes:
        raise ValueError(f"p={schedule.p} is larger than the modelled machine ({net.n_nodes} nodes)")
    S = net.nodes_per_supernode
    n_steps = schedule.n_steps
    sg_src = schedule.src // S
    cross = sg_src != schedule.dst // S
    n_sg = -(-schedule.p // S)
    key = schedule.step * n_sg + sg_src
    f = np.bincount(key[cross], minlength=n_steps * n_sg)
    beta_x = np.minimum(net.beta, S * net.beta / (net.oversub * np.maximum(f[key], 1)))
    beta_eff = np.where(cross, beta_x, net.beta)
    nb = schedule.nbytes.astype(float)
    t = net.alpha + nb / beta_eff
    if reduce_cost:
        t = t + np.where(schedule.reduces[schedule.step], 3.0 * nb / net.bw_red, 0.0)
    step_time = np.zeros(n_steps)
    n_msg = np.bincount(schedule.step, minlength=n_steps)
    max_bytes = np.zeros(n_steps, dtype=np.int64)
    if t.size:
        starts = np.flatnonzero(np.r_[True, schedule.step[1:] != schedule.step[:-1]])
        present = schedule.step[starts]
        step_time[present] = np.maximum.reduceat(t, starts)
        max_bytes[present] = np.maximum.reduceat(schedule.nbytes, starts)
    table = {
        "step": np.arange(n_steps),
        "phase": np.array(schedule.phase, dtype=object),
        "n_messages": n_msg,
        "max_bytes": max_bytes,
        "cross_messages": np.bincount(schedule.step[cross], minlength=n_steps),
        "time": step_time,
    }
    return float(step_time.sum()), table


def allreduce_time(
    algo,
    p: int | None = None,
    nbytes: int | None = None,
    net: TaihuLightNet | None = None,
    reduce_cost: bool = True,
    itemsize: int = 4,
) -> tuple[float, dict[str, np.ndarray]]:
    """Time (s) and per-step table of an allreduce of ``nbytes`` over ``p`` nodes with ``algo``.

    ``algo`` may also be a :class:`Schedule` (then ``p`` and ``nbytes`` are taken from it).
    ``nbytes`` is rounded up to whole ``itemsize`` elements.
    """
    net = net or TaihuLightNet()
    if isinstance(algo, Schedule):
        return schedule_time(algo, net, reduce_cost)
    _check_algo_p(algo, p)
    if p > net.n_nodes:
        raise ValueError(f"p={p} is larger than the modelled machine ({net.n_nodes} nodes)")
    if (
        isinstance(nbytes, bool)
        or not isinstance(nbytes, int | float | np.integer | np.floating)
        or not nbytes > 0
    ):
        raise ValueError(f"nbytes must be positive, got {nbytes!r}")
    n_elems = int(-(-int(np.ceil(nbytes)) // itemsize))
    if n_elems < p:  # some messages are empty: use the full message list
        sched = allreduce_schedule(algo, p, n_elems, itemsize, net.nodes_per_supernode)
        return schedule_time(sched, net, reduce_cost)
    return _grouped_time(algo, int(p), n_elems, itemsize, net, reduce_cost)


@lru_cache(maxsize=32)
def _groups(algo: str, p: int, S: int):
    """Messages grouped by (step, flows leaving the source supernode, chunk-set length and stride).

    Within a group every message has the same bandwidth and reduction flag, and its size is largest for
    the smallest ``lo`` (more chunks below ``r``), so one row per group gives the exact step maxima.
    """
    step, src, dst, lo, length, stride, phases, reduces = _structure(algo, p)
    n_steps = len(phases)
    n_sg = -(-p // S)
    cross = src // S != dst // S
    key = step * n_sg + src // S
    f = np.where(cross, np.bincount(key[cross], minlength=n_steps * n_sg)[key], 0)
    n_msg = np.bincount(step, minlength=n_steps)
    n_cross = np.bincount(step[cross], minlength=n_steps)
    big = np.iinfo(np.int64).max
    if algo == "ring" and p > 1:  # regular (steps x P) layout, chunk sets of length 1: group per step row
        lo2, f2 = lo.reshape(n_steps, p), f.reshape(n_steps, p)
        parts = []
        for fv in np.unique(f):
            m = f2 == fv
            has = np.flatnonzero(m.any(axis=1))
            parts.append((has, np.full(has.size, fv), np.where(m, lo2, big).min(axis=1)[has]))
        g_step, g_f, min_lo = (np.concatenate(x) for x in zip(*parts, strict=True))
        order = np.argsort(g_step, kind="stable")
        g_step, g_f, min_lo = g_step[order], g_f[order], min_lo[order]
        ones = np.ones_like(g_step)
        return g_step, g_f, ones, ones, min_lo, n_msg, n_cross, phases, reduces
    # one integer key per (step, f, length, stride); np.unique sorts by step first
    dims = [int(x.max(initial=0)) + 1 for x in (f, length, stride)]
    key = ((step * dims[0] + f) * dims[1] + length) * dims[2] + stride
    uniq, inv = np.unique(key, return_inverse=True)
    min_lo = np.full(uniq.size, big)
    np.minimum.at(min_lo, inv, lo)
    g_stride = uniq % dims[2]
    g_len = uniq // dims[2] % dims[1]
    g_f = uniq // (dims[2] * dims[1]) % dims[0]
    g_step = uniq // (dims[2] * dims[1] * dims[0])
    return g_step, g_f, g_len, g_stride, min_lo, n_msg, n_cross, phases, reduces


def _grouped_time(algo, p, n_elems, itemsize, net, reduce_cost):
    """:func:`schedule_time` of the schedule for ``n_elems >= p``, on grouped messages (fast at P = 1,024)."""
    S = net.nodes_per_supernode
    g_step, g_f, g_len, g_stride, g_lo, n_msg, n_cross, phases, reduces = _groups(algo, p, S)
    q, r = divmod(n_elems, p)
    nb = (g_len * q + np.clip(-((g_lo - r) // g_stride), 0, g_len)) * itemsize
    beta = np.where(
        g_f > 0, np.minimum(net.beta, S * net.beta / (net.oversub * np.maximum(g_f, 1))), net.beta
    )
    t = net.alpha + nb / beta
    if reduce_cost:
        t = t + np.where(reduces[g_step], 3.0 * nb / net.bw_red, 0.0)
    n_steps = len(phases)
    step_time, max_bytes = np.zeros(n_steps), np.zeros(n_steps, dtype=np.int64)
    if t.size:  # groups are sorted by step
        starts = np.flatnonzero(np.r_[True, g_step[1:] != g_step[:-1]])
        step_time[g_step[starts]] = np.maximum.reduceat(t, starts)
        max_bytes[g_step[starts]] = np.maximum.reduceat(nb, starts)
    table = {
        "step": np.arange(n_steps),
        "phase": np.array(phases, dtype=object),
        "n_messages": n_msg,
        "max_bytes": max_bytes,
        "cross_messages": n_cross,
        "time": step_time,
    }
    return float(step_time.sum()), table


def message_stats(schedule: Schedule, group_size: int | None = None) -> tuple[int, int, int]:
    """``(n_messages, total_bytes, cross_group_bytes)``; groups of ``group_size`` consecutive ranks."""
    g = schedule.group_size if group_size is None else group_size
    if isinstance(g, bool) or not isinstance(g, int | np.integer) or g <= 0:
        raise ValueError(f"group_size must be a positive int, got {g!r}")
    cross = schedule.src // g != schedule.dst // g
    return int(schedule.nbytes.size), int(schedule.nbytes.sum()), int(schedule.nbytes[cross].sum())


def closed_form_time(algo: str, p: int, nbytes: float, net: TaihuLightNet | None = None) -> float:
    """Textbook time at ``oversub = 1`` without reduction cost (exact for ``n_elems`` divisible by P)."""
    net = net or TaihuLightNet()
    _check_algo_p(algo, p)
    a, b, n = net.alpha, net.beta, float(nbytes)
    if p == 1:
        return 0.0
    if algo == "ring":
        return 2 * (p - 1) * (a + n / (p * b))
    if algo.startswith("rhd"):
        return 2 * np.log2(p) * a + 2 * (p - 1) / p * n / b
    if algo == "binomial":
        return 2 * int(np.ceil(np.log2(p))) * (a + n / b)
    return 2 * (p - 1) * (a + n / b)


def scaling_curve(
    t_compute: float, nbytes: float, ps, algo: str, net: TaihuLightNet | None = None, overlap: float = 0.0
) -> dict[str, np.ndarray]:
    """Weak scaling: ``t_iter(P) = t_compute + (1 - overlap) * t_allreduce(P)``,
    ``speedup = P * t_compute / t_iter``, ``efficiency = speedup / P``."""
    if not t_compute > 0:
        raise ValueError(f"t_compute must be positive, got {t_compute!r}")
    if not 0 <= overlap <= 1:
        raise ValueError(f"overlap must be in [0, 1], got {overlap!r}")
    ps = np.asarray(ps, dtype=np.int64)
    t_ar = np.array([0.0 if p == 1 else allreduce_time(algo, int(p), nbytes, net)[0] for p in ps])
    t_iter = t_compute + (1 - overlap) * t_ar
    speedup = ps * t_compute / t_iter
    return {"p": ps, "t_allreduce": t_ar, "t_iter": t_iter, "speedup": speedup, "efficiency": speedup / ps}


def clear_cache() -> None:
    """Forget the cached schedule structures (to time a cold start)."""
    _structure.cache_clear()
    _groups.cache_clear()
