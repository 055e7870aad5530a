"""Run a function on N local processes joined by a gloo process group, with a watchdog.

``launch(fn, world_size)`` forks ``world_size`` children (``start_method="fork"`` by default; use
``"spawn"`` or ``"forkserver"`` where fork is unavailable, with an importable ``fn``). Each child:

1. redirects its stdout/stderr to a log file (worker noise never reaches a notebook's output);
2. joins ``init_process_group("gloo", init_method="file://<fresh temp dir>/rdzv", timeout=pg_timeout_s)``
   -- file rendezvous, so concurrent launches never fight over a TCP port;
3. runs ``fn(rank, world_size, *args)`` and sends the result (or the formatted traceback) back.

The parent polls the pipes; the first child that exits non-zero (or reports an error) makes it
terminate *its own* remaining children and raise :class:`WorkerFailed`; past ``timeout_s`` it
terminates them and raises :class:`WorkerTimeout`. Either way no child is left running.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import pickle
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path


class WorkerFailed(RuntimeError):
    """A worker exited with a non-zero code or raised; names the rank, exit code and traceback."""

    def __init__(self, rank: int, exitcode: int | None, detail: str) -> None:
        self.rank, self.exitcode, self.detail = rank, exitcode, detail
        super().__init__(f"worker rank {rank} failed (exit code {exitcode}):\n{detail}")


class WorkerTimeout(TimeoutError):
    """The launch did not finish within ``timeout_s``; the workers were terminated."""


def _child(fn, rank, world_size, args, rdzv, log, pg_timeout_s, num_threads, conn) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = sys.stderr = open(fd, "w", buffering=1, closefd=False)  # noqa: SIM115
    code = 0
    try:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(num_threads)
        dist.init_process_group(
            "gloo",
            init_method=f"file://{rdzv}",
            rank=rank,
            world_size=world_size,
            timeout=timedelta(seconds=pg_timeout_s),
        )
        try:
            result = fn(rank, world_size, *args)
        finally:
            dist.destroy_process_group()
        # plain pickle bytes: torch's multiprocessing reductions would pass tensors through shared
        # memory owned by this process, which exits right after sending
        conn.send_bytes(pickle.dumps(("ok", result)))
    except BaseException:  # report everything, including SystemExit from the worker
        tb = traceback.format_exc()
        print(tb, flush=True)
        try:
            conn.send_bytes(pickle.dumps(("error", tb)))
        except Exception:
            pass
        code = 1
    conn.close()
    sys.stdout.flush()
    os._exit(code)


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "(no log)"


def _raise_first(procs, failures: dict[int, str], tmp: Path, grace_s: float = 1.0) -> None:
    """Raise WorkerFailed for the root cause: wait ``grace_s`` for peers to fail too, then prefer a rank
    that died outright (exit code other than 0/1, i.e. not a Python error reported by ``_child``)."""
    end = time.monotonic() + grace_s
    while time.monotonic() < end and len(failures) < len(procs):
        for rank, p in enumerate(procs):
            if rank not in failures and p.exitcode not in (None, 0):
                failures[rank] = _tail(tmp / f"rank{rank}.log")
        time.sleep(0.02)
    for p in procs:
        if p.exitcode is None:
            p.join(0.05)
    died = [r for r in sorted(failures) if procs[r].exitcode not in (None, 0, 1)]
    rank = died[0] if died else min(failures)
    others = ", ".join(f"rank {r} (exit code {procs[r].exitcode})" for r in sorted(failures) if r != rank)
    detail = failures[rank] + (f"\nalso failed: {others}" if others else "")
    raise WorkerFailed(rank, procs[rank].exitcode, detail)


def launch(
    fn: Callable,
    world_size: int = 2,
    *,
    args: tuple = (),
    start_method: str = "fork",
    timeout_s: float = 120.0,
    pg_timeout_s: float = 60.0,
    num_threads: int = 1,
) -> list[object]:
    """Run ``fn(rank, world_size, *args)`` on ``world_size`` processes; return the results by rank.

    Raises:
        ValueError: ``world_size`` < 1, ``timeout_s`` or ``pg_timeout_s`` not positive, bad start method.
        WorkerFailed: a worker raised or exited non-zero (the first one observed).
        WorkerTimeout: not finished within ``timeout_s`` seconds.
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be an int >= 1, got {world_size!r}")
    for name, value in (("timeout_s", timeout_s), ("pg_timeout_s", pg_timeout_s)):
        if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if start_method not in mp.get_all_start_methods():
        raise ValueError(f"start_method must be one of {mp.get_all_start_methods()}, got {start_method!r}")
    ctx = mp.get_context(start_method)
    tmp = Path(tempfile.mkdtemp(prefix="paperlab-launch-"))
    procs, conns, results = [], [], {}
    try:
        for rank in range(world_size):
            recv, send = ctx.Pipe(duplex=False)
            p = ctx.Process(
                target=_child,
                args=(
                    fn,
                    rank,
                    world_size,
                    args,
                    str(tmp / "rdzv"),
                    str(tmp / f"rank{rank}.log"),
                    pg_timeout_s,
                    num_threads,
                    send,
                ),
                daemon=True,
            )
            p.start()
            send.close()
            procs.append(p)
            conns.append(recv)
        deadline = time.monotonic() + timeout_s
        failures: dict[int, str] = {}
        while len(results) < world_size:
            for rank, (p, c) in enumerate(zip(procs, conns, strict=True)):
                if rank in results or rank in failures:
                    continue
                if c.poll():
                    try:
                        status, payload = pickle.loads(c.recv_bytes())
                    except (EOFError, OSError):
                        status, payload = (
                            "error",
                            f"rank {rank} closed its pipe\n" + _tail(tmp / f"rank{rank}.log"),
                        )
                    if status == "error":
                        failures[rank] = payload
                    else:
                        results[rank] = payload
                elif p.exitcode is not None and not c.poll():
                    failures[rank] = _tail(tmp / f"rank{rank}.log")
            if failures:
                _raise_first(procs, failures, tmp)
            if time.monotonic() > deadline:
                raise WorkerTimeout(
                    f"launch of {world_size} workers did not finish within timeout_s={timeout_s} s; terminated"
                )
            time.sleep(0.01)
        for p in procs:
            p.join(5.0)
        return [results[r] for r in range(world_size)]
    finally:
        for p in procs:  # only the children this call started, by handle
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(5.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        for c in conns:
            c.close()
        shutil.rmtree(tmp, ignore_errors=True)
