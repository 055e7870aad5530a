"""Run the RedSync training workers the way any PyTorch job runs: under ``torchrun`` (env:// rendezvous).

One machine, N processes::

    torchrun --standalone --nproc-per-node 2 -m paperlab.redsync.train --hook rgc --density 0.001 --out run.json

M machines (run on each, R = 0..M-1; HOST:PORT is reachable from every machine)::

    torchrun --nnodes M --nproc-per-node N --node-rank R --rdzv-backend c10d --rdzv-endpoint HOST:PORT \
        --rdzv-id redsync -m paperlab.redsync.train ...

The backend is ``nccl`` when CUDA is available (each process uses ``cuda:LOCAL_RANK``) and ``gloo``
otherwise. Rank 0 writes the results (``--out``). With ``--ckpt-dir`` every rank saves a checkpoint every
``--ckpt-every`` steps, so a job restarted by torchrun (``--max-restarts``) resumes where it stopped; the
checkpoint directory must be on storage each rank can reach again after a restart (node-local disks work
when ranks keep their nodes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist

SELECTORS = ("exact", "trimmed", "binary_search")


def init_from_env(pg_timeout_s: float = 120.0) -> tuple[int, int, int]:
    """``init_process_group`` from torchrun's environment; returns ``(rank, world_size, local_rank)``.

    Raises:
        RuntimeError: the variables torchrun sets (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) are missing.
    """
    missing = [v for v in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT") if v not in os.environ]
    if missing:
        raise RuntimeError(
            f"environment variables {', '.join(missing)} are not set: start this entry point with torchrun "
            "(e.g. torchrun --standalone --nproc-per-node 2 -m paperlab.redsync.train ...)"
        )
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    timeout = timedelta(seconds=pg_timeout_s)
    store, rank, world = next(dist.rendezvous("env://", timeout=timeout))
    # an elastic restart reuses the store: without a per-attempt prefix gloo can read the dead workers'
    # addresses from the previous attempt and fail with "connectFullMesh ... Connection refused"
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    dist.init_process_group(backend, store=dist.PrefixStore(f"paperlab-attempt{attempt}", store), rank=rank,
                            world_size=world, timeout=timeout)
    return dist.get_rank(), dist.get_world_size(), local_rank


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m paperlab.redsync.train", description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=("digits", "mnist5k"), default="digits")
    ap.add_argument("--sizes", default="64,128,128,10", help="MLP layer sizes, comma-separated")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--batch", type=int, default=16, help="per-rank batch")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9, help="optimiser momentum of the dense run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hook", choices=("none", "allreduce", "rgc"), default="rgc")
    ap.add_argument("--density", type=float, default=1e-3)
    ap.add_argument("--selector", choices=SELECTORS, default="exact")
    ap.add_argument("--memory", choices=("momentum", "residual"), default="momentum")
    ap.add_argument("--min-numel", type=int, default=0)
    ap.add_argument("--quantize", choices=("sign-mean",), default=None)
    ap.add_argument("--ckpt-dir", default=None)
    ap.add_argument("--ckpt-every", type=int, default=10)
    ap.add_argument("--pg-timeout", type=float, default=120.0, help="process-group timeout (s)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    ap.add_argument("--out", default=None, help="JSON results, written by rank 0")
    ap.add_argument("--fail-at", default=None, help=argparse.SUPPRESS)  # "RANK:STEP", fault injection (tests)
    return ap.parse_args(argv)


def build_job(args: argparse.Namespace) -> dict:
    """The ``train`` job dict of :func:`paperlab.redsync.train.train_job` for these arguments."""
    from paperlab.redsync.hook import RGCConfig
    from paperlab.redsync.selection import ExactTopK, ThresholdBinarySearch, TrimmedTopK
    from paperlab.redsync.train import make_train_job

    if args.data == "digits":
        from paperlab.data.small import digits

        data = digits(split_seed=args.seed)
    else:
        from paperlab.data.small import mnist5k

        data = mnist5k(split_seed=args.seed)
    selector = {"exact": ExactTopK, "trimmed": TrimmedTopK, "binary_search": ThresholdBinarySearch}[args.selector]()
    rgc = None
    if args.hook == "rgc":
        rgc = RGCConfig(density=args.density, selector=selector, memory=args.memory, min_numel=args.min_numel,
                        quantize=args.quantize)
    extra = {}
    if args.fail_at:
        r, s = args.fail_at.split(":")
        extra["fail_at"] = (int(r), int(s))
    return make_train_job(
        f"torchrun {args.hook}",
        data,
        tuple(int(v) for v in args.sizes.split(",")),
        epochs=args.epochs,
        batch=args.batch,
        lr=args.lr,
        seed=args.seed,
        hook=args.hook,
        rgc=rgc,
        momentum=args.momentum if args.hook != "rgc" else 0.0,
        max_steps=args.max_steps,
        ckpt_dir=args.ckpt_dir,
        ckpt_every=args.ckpt_every,
        **extra,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m paperlab.redsync.train`` under torchrun (a worker process: it ends the process)."""
    from paperlab.redsync.train import merge, train_job

    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    job = build_job(args)
    rank, world, local_rank = init_from_env(args.pg_timeout)
    try:
        result = train_job(rank, world, job)
        gathered: list[dict | None] = [None] * world
        dist.all_gather_object(gathered, result)
    finally:
        dist.destroy_process_group()
    if rank == 0:
        merged = merge([[r] for r in gathered])[0]
        merged.update(world_size=world, backend="nccl" if torch.cuda.is_available() else "gloo",
                      restarts=int(os.environ.get("TORCHELASTIC_RESTART_COUNT", 0)))
        print(f"rank 0 of {world}: {len(merged['losses'])} steps, final loss {merged['losses'][-1]:.4f}, "
              f"ranks in sync: {merged['in_sync']}", flush=True)
        if args.out:
            out = Path(args.out)
            tmp = out.with_suffix(out.suffix + ".tmp")
            tmp.write_text(json.dumps(merged, indent=1))
            os.replace(tmp, out)
    _leave(0)
    return 0  # pragma: no cover - _leave does not return


def _leave(code: int) -> None:  # pragma: no cover - runs in torchrun workers
    """Leave the worker process without running C++ static destructors.

    The process group is destroyed and every result is written. Under load a gloo/TCPStore thread can otherwise
    abort the interpreter's teardown ("terminate called without an active exception", SIGABRT) after a successful
    run, and torchrun would report the job as failed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
