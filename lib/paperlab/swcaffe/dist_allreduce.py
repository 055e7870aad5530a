"""Allreduce algorithms written rank-locally, run for real over ``torch.distributed`` (gloo) or in-process.

The same functions (``ring``, ``rhd``, ``binomial``) run on two communicators:
- :class:`GlooComm`: ``torch.distributed`` point-to-point ``isend``/``irecv`` (gloo backend);
- :class:`ThreadComm`: P threads with queues in one process (for unit tests, no torch.distributed).
Both log every message as ``(phase, step, src, dst, nbytes)`` so the log can be compared, message for
message, with the model schedule :func:`paperlab.sunway.net.allreduce_schedule` (written independently).

Chunking (shared with the model): N elements in P chunks, chunk c holding ``q + (c < r)`` elements,
``q, r = divmod(N, P)`` (``torch.tensor_split``). Empty messages are neither sent nor logged.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import torch

from paperlab.sunway.net import allreduce_schedule, message_stats

ALGOS = ("ring", "rhd_near", "rhd_far", "binomial")


class MessageLog(list):
    """Messages ``(phase, step, src, dst, nbytes)`` sent by one rank (or merged over all ranks)."""


class _Comm:
    rank: int
    size: int

    def __init__(self):
        self.log = MessageLog()

    def _record(self, phase: str, step: int, dst: int, t: torch.Tensor) -> None:
        self.log.append((phase, int(step), self.rank, int(dst), int(t.numel() * t.element_size())))

    def exchange(
        self, send: torch.Tensor, dst: int, recv_n: int, src: int, phase: str, step: int
    ) -> torch.Tensor:
        """Send ``send`` to ``dst`` and receive ``recv_n`` elements from ``src`` (empty parts skipped)."""
        raise NotImplementedError

    def send(self, t: torch.Tensor, dst: int, phase: str, step: int) -> None:
        raise NotImplementedError

    def recv(self, n: int, src: int, dtype) -> torch.Tensor:
        raise NotImplementedError


class GlooComm(_Comm):
    """``torch.distributed`` point-to-point on the default (gloo) process group, with counting."""

    def __init__(self):
        super().__init__()
        import torch.distributed as dist

        self._dist = dist
        self.rank, self.size = dist.get_rank(), dist.get_world_size()

    def check_sizes(self, n: int) -> None:
        """Initial size exchange (bookkeeping, not logged): all ranks must hold the same length."""
        sizes = [torch.zeros(1, dtype=torch.int64) for _ in range(self.size)]
        self._dist.all_gather(sizes, torch.tensor([n]))
        got = [int(s) for s in sizes]
        if len(set(got)) != 1:
            raise ValueError(f"tensor sizes differ across ranks: {got}")

    def exchange(self, send, dst, recv_n, src, phase, step):
        dist = self._dist
        out = torch.empty(recv_n, dtype=send.dtype)
        reqs = []
        if send.numel():
            if dst == self.rank:
                raise ValueError("gloo cannot send to the same rank")
            reqs.append(dist.isend(send.contiguous(), dst))
            self._record(phase, step, dst, send)
        if recv_n:
            reqs.append(dist.irecv(out, src))
        for r in reqs:  # wait on every isend before returning (pytorch#78514)
            r.wait()
        return out

    def send(self, t, dst, phase, step):
        if t.numel():
            self._dist.send(t.contiguous(), dst)
            self._record(phase, step, dst, t)

    def recv(self, n, src, dtype):
        out = torch.empty(n, dtype=dtype)
        if n:
            self._dist.recv(out, src)
        return out


class _Hub:
    def __init__(self, p: int, timeout_s: float):
        self.q = {(s, d): queue.Queue() for s in range(p) for d in range(p)}
        self.sizes: list = [None] * p
        self.barrier = threading.Barrier(p, timeout=timeout_s)
        self.timeout_s = timeout_s


class ThreadComm(_Comm):
    """Rank ``rank`` of ``p`` ranks living in threads of one process (see :func:`run_threads`)."""

    def __init__(self, rank: int, p: int, hub: _Hub):
        super().__init__()
        self.rank, self.size, self._hub = rank, p, hub

    def check_sizes(self, n: int) -> None:
        self._hub.sizes[self.rank] = n
        self._hub.barrier.wait()
        got = list(self._hub.sizes)
        if len(set(got)) != 1:
            raise ValueError(f"tensor sizes differ across ranks: {got}")

    def _get(self, src):
        try:
            return self._hub.q[(src, self.rank)].get(timeout=self._hub.timeout_s)
        except queue.Empty:
            raise TimeoutError(f"rank {self.rank} waited {self._hub.timeout_s} s for rank {src}") from None

    def exchange(self, send, dst, recv_n, src, phase, step):
        if send.numel():
            if dst == self.rank:
                raise ValueError("cannot send to the same rank")
            self._hub.q[(self.rank, dst)].put(send.clone())
            self._record(phase, step, dst, send)
        return self._get(src) if recv_n else torch.empty(0, dtype=send.dtype)

    def send(self, t, dst, phase, step):
        if t.numel():
            self._hub.q[(self.rank, dst)].put(t.clone())
            self._record(phase, step, dst, t)

    def recv(self, n, src, dtype):
        return self._get(src) if n else torch.empty(0, dtype=dtype)


def _prepare(comm: _Comm, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.ndim != 1:
        raise ValueError("x must be a 1-D torch tensor (the packed gradients)")
    comm.check_sizes(x.numel())
    return x.clone()


def ring(comm: _Comm, x: torch.Tensor) -> torch.Tensor:
    """Ring allreduce: reduce-scatter (send chunk (rank - s) % P to next, add chunk (rank - s - 1) % P from
    prev), then allgather (send chunk (rank - s + 1) % P, overwrite chunk (rank - s) % P); P - 1 steps each."""
    x = _prepare(comm, x)
    p, me = comm.size, comm.rank
    if p == 1:
        return x
    ch = list(torch.tensor_split(x, p))
    nxt, prv = (me + 1) % p, (me - 1) % p
    for s in range(p - 1):
        c_out, c_in = (me - s) % p, (me - s - 1) % p
        ch[c_in] += comm.exchange(ch[c_out], nxt, ch[c_in].numel(), prv, "reduce_scatter", s)
    for s in range(p - 1):
        c_out, c_in = (me - s + 1) % p, (me - s) % p
        ch[c_in].copy_(comm.exchange(ch[c_out], nxt, ch[c_in].numel(), prv, "allgather", s))
    return x


def rhd_masks(p: int, order: str = "near") -> list[int]:
    """Partner masks of recursive halving: ``[1, 2, ..., P/2]`` (near) or reversed (far)."""
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise ValueError(f"p must be a positive int, got {p!r}")
    if p & (p - 1):
        raise ValueError(f"P={p} is not a power of two: RHD needs P = 2^k; use 'ring' or 'binomial' instead")
    if order not in ("near", "far"):
        raise ValueError(f"order must be 'near' or 'far', got {order!r}")
    masks = [1 << i for i in range(p.bit_length() - 1)]
    return masks if order == "near" else masks[::-1]


def rhd_split(owned: list[int], rank: int, mask: int) -> tuple[list[int], list[int]]:
    """One halving step: ``(send, keep)`` = owned chunks with ``(c & m) != (rank & m)`` and the rest."""
    send = [c for c in owned if (c & mask) != (rank & mask)]
    keep = [c for c in owned if (c & mask) == (rank & mask)]
    return send, keep


def rhd(comm: _Comm, x: torch.Tensor, order: str = "near") -> torch.Tensor:
    """Recursive halving reduce-scatter + recursive doubling allgather; partner = rank XOR mask."""
    p, me = comm.size, comm.rank
    masks = rhd_masks(p, order)
    x = _prepare(comm, x)
    if p == 1:
        return x
    ch = list(torch.tensor_split(x, p))
    cat = lambda cs: torch.cat([ch[c] for c in cs]) if cs else x[:0]
    owned = list(range(p))
    for s, m in enumerate(masks):
        partner = me ^ m
        send, keep = rhd_split(owned, me, m)
        got = comm.exchange(
            cat(send), partner, sum(ch[c].numel() for c in keep), partner, "reduce_scatter", s
        )
        for c, part in zip(keep, torch.split(got, [ch[c].numel() for c in keep]), strict=True):
            ch[c] += part
        owned = keep
    for s, m in enumerate(masks[::-1]):
        partner = me ^ m
        theirs = [c ^ m for c in owned]  # the partner owns the mirror set
        got = comm.exchange(cat(owned), partner, sum(ch[c].numel() for c in theirs), partner, "allgather", s)
        for c, part in zip(theirs, torch.split(got, [ch[c].numel() for c in theirs]), strict=True):
            ch[c].copy_(part)
        owned = sorted(owned + theirs)
    return x


def binomial(comm: _Comm, x: torch.Tensor) -> torch.Tensor:
    """Binomial-tree reduce to rank 0, then binomial broadcast (stand-in for the default MPI_Allreduce)."""
    x = _prepare(comm, x)
    p, me = comm.size, comm.rank
    d, s = 1, 0
    while d < p:
        if me % (2 * d) == d:
            comm.send(x, me - d, "reduce", s)
        elif me % (2 * d) == 0 and me + d < p:
            x += comm.recv(x.numel(), me + d, x.dtype)
        d, s = 2 * d, s + 1
    d, s = (1 << (int(np.ceil(np.log2(p))) - 1)) if p > 1 else 0, 0
    while d >= 1:
        if me % (2 * d) == 0 and me + d < p:
            comm.send(x, me + d, "broadcast", s)
        elif me % (2 * d) == d:
            x.copy_(comm.recv(x.numel(), me - d, x.dtype))
        d, s = d // 2, s + 1
    return x


def allreduce(comm: _Comm, x: torch.Tensor, algo: str) -> torch.Tensor:
    """Dispatch ``algo`` in :data:`ALGOS`."""
    if algo == "ring":
        return ring(comm, x)
    if algo in ("rhd_near", "rhd_far"):
        return rhd(comm, x, algo[4:])
    if algo == "binomial":
        return binomial(comm, x)
    raise ValueError(f"algo must be one of {', '.join(ALGOS)}, got {algo!r}")


def _inputs(p: int, n: int, values: str, seed: int, dtype=torch.float32) -> list[torch.Tensor]:
    if values not in ("int", "float"):
        raise ValueError(f"values must be 'int' or 'float', got {values!r}")
    g = torch.Generator().manual_seed(seed)
    if values == "int":  # integer-valued floats: every partial sum is exact, so results are bitwise equal
        return [torch.randint(-1000, 1000, (n,), generator=g).to(dtype) for _ in range(p)]
    return [torch.rand(n, generator=g, dtype=dtype) * 2 - 1 for _ in range(p)]


def run_threads(
    algo: str, xs: list[torch.Tensor], timeout_s: float = 30.0
) -> tuple[list[torch.Tensor], MessageLog]:
    """Run ``algo`` on ``len(xs)`` :class:`ThreadComm` ranks; returns per-rank results and the merged log."""
    p = len(xs)
    if p < 1:
        raise ValueError("xs must hold at least one tensor")
    hub = _Hub(p, timeout_s)
    out, errs, logs = [None] * p, [None] * p, [None] * p

    def work(r):
        comm = ThreadComm(r, p, hub)
        try:
            out[r] = allreduce(comm, xs[r], algo)
        except BaseException as e:  # report, and release the others
            errs[r] = e
            hub.barrier.abort()
        logs[r] = comm.log

    threads = [threading.Thread(target=work, args=(r,), daemon=True) for r in range(p)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout_s)
    first = next((e for e in errs if e is not None and not isinstance(e, threading.BrokenBarrierError)), None)
    first = first or next((e for e in errs if e is not None), None)
    if first is not None:
        raise first
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"{algo} on {p} threads did not finish in {timeout_s} s")
    return out, MessageLog(sorted(m for lg in logs for m in lg))


@dataclass
class AlgoResult:
    """One algorithm of a local run: equality with ``dist.all_reduce``, max relative error, merged log."""

    algo: str
    equal_to_all_reduce: bool
    max_rel_err: float
    log: MessageLog
    wall_s: float


@dataclass
class LocalRunResult:
    p: int
    n: int
    values: str
    group_size: int
    algos: dict = field(default_factory=dict)


def _init(rank: int, p: int, rdzv: str, timeout_s: float):
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{rdzv}", rank=rank, world_size=p, timeout=timedelta(seconds=timeout_s)
    )
    return dist


def _allreduce_worker(rank, p, rdzv, timeout_s, q, algos, n, values, seed):
    dist = _init(rank, p, rdzv, timeout_s)
    rows = _allreduce_rows(dist, rank, p, algos, n, values, seed)
    dist.destroy_process_group()
    return rows


def _allreduce_rows(dist, rank, p, algos, n, values, seed):
    """Every algo on this rank against ``dist.all_reduce``: (algo, equal, max rel err, log, wall s)."""
    x = _inputs(p, n, values, seed)[rank]
    ref = x.clone()
    dist.all_reduce(ref)  # the reference; not counted
    rows = []
    for algo in algos:
        comm = GlooComm()
        t0 = time.perf_counter()
        y = allreduce(comm, x, algo)
        wall = time.perf_counter() - t0
        eq = (
            bool(torch.equal(y, ref))
            if values == "int"
            else bool(torch.allclose(y, ref, rtol=1e-6, atol=1e-6))
        )
        err = float(((y - ref).abs() / ref.abs().clamp_min(1e-12)).max())
        rows.append((algo, eq, err, list(comm.log), wall))
    dist.barrier()
    return rows


def _entry(fn, rank, p, rdzv, timeout_s, q, args):
    try:
        q.put(("ok", rank, fn(rank, p, rdzv, timeout_s, q, *args)))
    except BaseException:
        q.put(("error", rank, traceback.format_exc()))


def launch(fn, p: int, args: tuple, start_method: str = "fork", timeout_s: float = 60.0) -> list:
    """Run ``fn(rank, p, rdzv, timeout_s, queue, *args)`` on ``p`` local processes; returns the per-rank
    results. Rendezvous through a file in a fresh temporary directory; children are joined with a
    timeout; on failure only these children are terminated and a ``RuntimeError`` names each rank's error."""
    import multiprocessing as mp

    torch.set_num_threads(1)  # before forking
    ctx = mp.get_context(start_method)
    q = ctx.Queue()
    with tempfile.TemporaryDirectory(prefix="swcaffe_rdzv_") as tmp:
        rdzv = os.path.join(tmp, "rdzv")
        procs = [ctx.Process(target=_entry, args=(fn, r, p, rdzv, timeout_s, q, args)) for r in range(p)]
        for pr in procs:
            pr.start()
        got, errors, deadline = {}, {}, time.monotonic() + timeout_s
        try:
            while len(got) + len(errors) < p:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    kind, rank, payload = q.get(timeout=min(left, 1.0))
                except queue.Empty:
                    dead = [i for i, pr in enumerate(procs) if pr.exitcode not in (None, 0) and i not in got]
                    if dead:
                        errors.update({i: f"exited with code {procs[i].exitcode}" for i in dead})
                        break
                    continue
                (got if kind == "ok" else errors)[rank] = payload
        finally:
            for pr in procs:
                pr.join(timeout=5)
            for pr in procs:
                if pr.is_alive():
                    pr.terminate()
                    pr.join(timeout=5)
    if errors or len(got) < p:
        missing = [r for r in range(p) if r not in got and r not in errors]
        detail = "; ".join(f"rank {r}: {e.strip().splitlines()[-1]}" for r, e in sorted(errors.items()))
        raise RuntimeError(
            f"local run failed ({detail}; no answer from ranks {missing} within {timeout_s} s)"
        )
    return [got[r] for r in range(p)]


def run_local(
    algos=ALGOS,
    p: int = 4,
    n: int = 4099,
    values: str = "int",
    group_size: int | None = None,
    start_method: str = "fork",
    timeout_s: float = 60.0,
    seed: int = 0,
) -> LocalRunResult:
    """Run ``algos`` for real on ``p`` local gloo processes and compare each with ``dist.all_reduce``.

    ``values="int"``: integer-valued fp32 inputs (bitwise check, ``torch.equal``); ``"float"``: uniform
    inputs (``rtol = 1e-6``). ``group_size`` (default ``p // 2``): the "virtual supernode" size for
    cross-group statistics. See :func:`launch` for the process handling.
    """
    algos = tuple(algos)
    if isinstance(p, bool) or not isinstance(p, int) or p < 2:
        raise ValueError(f"p must be an int >= 2 for a process run, got {p!r}")
    for a in algos:
        if a not in ALGOS:
            raise ValueError(f"algo must be one of {', '.join(ALGOS)}, got {a!r}")
        if a.startswith("rhd"):
            rhd_masks(p)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    _inputs(1, 1, values, seed)
    got = launch(_allreduce_worker, p, (algos, n, values, seed), start_method, timeout_s)
    return _assemble(got, algos, p, n, values, group_size)


def _assemble(got: list, algos, p: int, n: int, values: str, group_size: int | None) -> LocalRunResult:
    res = LocalRunResult(p, n, values, group_size or max(1, p // 2))
    for i, algo in enumerate(algos):
        rows = [got[r][i] for r in range(p)]
        log = MessageLog(sorted(m for row in rows for m in row[3]))
        res.algos[algo] = AlgoResult(
            algo, all(row[1] for row in rows), max(row[2] for row in rows), log, max(row[4] for row in rows)
        )
    return res


def log_stats(log: MessageLog, group_size: int) -> tuple[int, int, int]:
    """``(messages, total bytes, cross-group bytes)`` of a message log."""
    cross = sum(m[4] for m in log if m[2] // group_size != m[3] // group_size)
    return len(log), sum(m[4] for m in log), cross


def model_log(algo: str, p: int, n: int, itemsize: int = 4, group_size: int = 256) -> MessageLog:
    """The model schedule's messages, sorted like a gathered log."""
    return MessageLog(sorted(allreduce_schedule(algo, p, n, itemsize, group_size).messages()))


def compare_with_model(result: LocalRunResult, itemsize: int = 4) -> list[dict]:
    """Per algorithm: measured vs model messages, total bytes, cross-group bytes and exact log equality."""
    rows = []
    for algo, r in result.algos.items():
        sched = allreduce_schedule(algo, result.p, result.n, itemsize, result.group_size)
        model = message_stats(sched, result.group_size)
        meas = log_stats(r.log, result.group_size)
        rows.append(
            {
                "algo": algo,
                "messages": meas[0],
                "model_messages": model[0],
                "bytes": meas[1],
                "model_bytes": model[1],
                "cross_bytes": meas[2],
                "model_cross_bytes": model[2],
                "log_equal": list(r.log) == list(sorted(sched.messages())),
            }
        )
    return rows


def _pingpong_worker(rank, p, rdzv, timeout_s, q, sizes, reps):
    dist = _init(rank, p, rdzv, timeout_s)
    out = []
    for n in sizes:
        buf = torch.zeros(max(1, n // 4))
        if rank == 0:  # warm-up exchange (connection set-up), not timed
            dist.send(buf, 1)
        else:
            dist.recv(buf, 0)
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(reps):
            if rank == 0:
                dist.send(buf, 1)
                dist.recv(buf, 1)
            else:
                dist.recv(buf, 0)
                dist.send(buf, 0)
        out.append((time.perf_counter() - t0) / (2 * reps))
    dist.barrier()
    dist.destroy_process_group()
    return out


def loopback_alpha_beta(sizes=(4, 4096, 65536, 1 << 20), reps: int = 20, timeout_s: float = 60.0) -> dict:
    """Ping-pong between 2 local gloo processes; least-squares fit of ``t(m) = alpha + m / beta``.

    Report only: on a loaded 2-core machine the result measures the scheduler, not a network.
    Returns ``sizes``, ``seconds`` (one-way), ``alpha`` (s) and ``beta`` (bytes/s).
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 4:
        raise ValueError(f"sizes must hold at least two byte counts >= 4, got {sizes!r}")
    t = np.array(launch(_pingpong_worker, 2, (sizes, int(reps)), timeout_s=timeout_s)[0])
    slope, alpha = np.polyfit(np.array(sizes, float), t, 1)
    return {
        "sizes": sizes,
        "seconds": t,
        "alpha": float(alpha),
        "beta": float(1.0 / slope) if slope > 0 else float("inf"),
    }


def torchrun_main(argv: list[str] | None = None) -> int:
    """``torchrun ... -m paperlab.swcaffe.dist_allreduce --algos ring,rhd_near --numel 4099``: the allreduce
    benchmark under torchrun (env:// rendezvous). The algorithms exchange CPU tensors point to point (they
    model the Sunway MPI schedule, not GPU collectives), so the backend is gloo even where CUDA exists.
    Rank 0 prints one line per algorithm and writes ``--out`` (JSON)."""
    import argparse
    import json
    import sys

    import torch.distributed as dist

    ap = argparse.ArgumentParser(prog="python -m paperlab.swcaffe.dist_allreduce")
    ap.add_argument("--algos", default=",".join(ALGOS))
    ap.add_argument("--numel", type=int, default=4099, help="elements per rank")
    ap.add_argument("--values", choices=("int", "float"), default="int")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pg-timeout", type=float, default=60.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    algos = tuple(a for a in args.algos.split(",") if a)
    if "RANK" not in os.environ:
        print("start this entry point with torchrun (RANK/WORLD_SIZE are not set)", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="env://", timeout=timedelta(seconds=args.pg_timeout))
    try:
        rank, p = dist.get_rank(), dist.get_world_size()
        rows = _allreduce_rows(dist, rank, p, algos, args.numel, args.values, args.seed)
        got = [None] * p
        dist.all_gather_object(got, rows)
    finally:
        dist.destroy_process_group()
    if rank == 0:
        res = _assemble(got, algos, p, args.numel, args.values, None)
        table = compare_with_model(res)
        for row in table:
            print(json.dumps(row, default=str), flush=True)
        if args.out:
            out = {"p": p, "n": args.numel, "values": args.values, "backend": "gloo",
                   "algos": {a: {"equal_to_all_reduce": r.equal_to_all_reduce, "max_rel_err": r.max_rel_err,
                                 "messages": len(r.log)} for a, r in res.algos.items()},
                   "model": table}
            with open(args.out, "w") as fh:
                json.dump(out, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(torchrun_main())
