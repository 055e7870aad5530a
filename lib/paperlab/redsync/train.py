"""Importable worker functions: every variant of a notebook runs inside ONE launch of N processes.

``run_jobs(rank, world_size, jobs)`` executes a list of job dicts in order on every rank and returns
one result per job. Kinds:

* ``{"kind": "train", ...}`` -- data-parallel training of an MLP with DDP and a hook
  (``"none"``, ``"allreduce"``, ``"rgc"`` with ``"rgc": RGCConfig``, ``"powersgd"``);
* ``{"kind": "collectives", "n": int, "density": float, "reps": int}`` -- dense all-reduce against
  the packed sparse all-gather (and two separate all-gathers) of n float32;
* ``{"kind": "alpha_beta", "sizes": [bytes...], "reps": int}`` -- all-reduce / all-gather sweep.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from paperlab.redsync.data import shard_batches
from paperlab.redsync.hook import RGCConfig, make_optimizer, register
from paperlab.redsync.launcher import WorkerTimeout, launch
from paperlab.redsync.models import mlp


def _digest(model: nn.Module) -> str:
    h = hashlib.sha256()
    for w in model.parameters():
        h.update(w.detach().contiguous().numpy().tobytes())
    return h.hexdigest()


def _powersgd_in_order(state, bucket):
    """PowerSGD, waited for inside the hook: its two-phase callbacks otherwise interleave with the next
    bucket's collectives in a different order on each rank, and gloo aborts (a collective mismatch)."""
    from torch.distributed.algorithms.ddp_comm_hooks import powerSGD_hook as ps

    fut = ps.powerSGD_hook(state, bucket)
    fut.wait()
    return fut


def train_job(rank: int, world_size: int, job: dict) -> dict:
    """Train ``mlp(job["sizes"])`` with DDP on this rank's shard; see the module docstring."""
    xtr, ytr, xte, yte = job["data"]
    dtype = job.get("dtype", torch.float32)
    xtr_t, ytr_t = torch.as_tensor(xtr, dtype=dtype), torch.as_tensor(ytr)
    xte_t, yte_t = torch.as_tensor(xte, dtype=dtype), torch.as_tensor(yte)
    torch.manual_seed(job["seed"])  # one shared initialisation (DDP also broadcasts rank 0's)
    model = mlp(job["sizes"]).to(dtype)
    ddp = nn.parallel.DistributedDataParallel(model)
    hook, cfg = job.get("hook", "none"), job.get("rgc")
    state = None
    if hook == "rgc":
        state = register(ddp, cfg)
        opt = make_optimizer(ddp.parameters(), cfg, job["lr"])
    else:
        if hook == "allreduce":
            from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

            ddp.register_comm_hook(None, default_hooks.allreduce_hook)
        elif hook == "powersgd":
            from torch.distributed.algorithms.ddp_comm_hooks import powerSGD_hook as ps

            ps_state = ps.PowerSGDState(
                process_group=None, matrix_approximation_rank=2, start_powerSGD_iter=2
            )
            ddp.register_comm_hook(ps_state, _powersgd_in_order)
        elif hook != "none":
            raise ValueError(f"hook must be none, allreduce, rgc or powersgd, got {hook!r}")
        opt = torch.optim.SGD(ddp.parameters(), lr=job["lr"], momentum=job.get("momentum", 0.0))
    losses, accs, t_train = [], [], 0.0
    max_steps = job.get("max_steps")
    for epoch in range(job["epochs"]):
        if state is not None:
            state.set_epoch(epoch)
        t0 = time.perf_counter()
        for idx in shard_batches(len(ytr), world_size, rank, job["batch"], epoch, job["seed"]):
            if max_steps is not None and len(losses) >= max_steps:
                break
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(ddp(xtr_t[idx]), ytr_t[idx])
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        t_train += time.perf_counter() - t0
        if job.get("eval", True):
            with torch.no_grad():
                accs.append(float((model(xte_t).argmax(1) == yte_t).double().mean()))
    out = {
        "name": job["name"],
        "losses": losses,
        "acc": accs,
        "digest": _digest(model),
        "train_s": t_train,
        "stats": state.stats() if state is not None else None,
        "bytes_sent": list(state.bytes_sent) if state is not None else None,
        "bytes_dense": list(state.bytes_dense) if state is not None else None,
        "nnz": list(state.nnz) if state is not None else None,
    }
    if job.get("return_params"):
        out["params"] = {n: w.detach().clone() for n, w in model.named_parameters()}
    return out


def _time(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def collectives_job(rank: int, world_size: int, job: dict) -> dict:
    """Times (s) of dense fp32 all-reduce of n floats against sparse all-gathers of k = D n pairs."""
    n, reps = job["n"], job["reps"]
    k = max(1, int(round(job["density"] * n)))
    dense = torch.randn(n, generator=torch.Generator().manual_seed(rank))
    vals, idx = dense[:k].clone(), torch.arange(k, dtype=torch.int64)
    packed = torch.cat([vals.view(torch.int32), idx.to(torch.int32)])
    out_p = [torch.empty_like(packed) for _ in range(world_size)]
    out_v = [torch.empty_like(vals) for _ in range(world_size)]
    out_i = [torch.empty_like(idx) for _ in range(world_size)]

    def two() -> None:
        dist.all_gather(out_v, vals)
        dist.all_gather(out_i, idx)

    return {
        "p": world_size,
        "n": n,
        "k": k,
        "allreduce": _time(lambda: dist.all_reduce(dense.clone()), reps),
        "allgather_packed": _time(lambda: dist.all_gather(out_p, packed), reps),
        "allgather_two": _time(two, reps),
        "bytes_allreduce": 2 * (world_size - 1) / world_size * 4 * n,
        "bytes_allgather": (world_size - 1) * 8 * k,
    }


def alpha_beta_job(rank: int, world_size: int, job: dict) -> dict:
    """Minimum time (s) of an all-reduce of each size in ``job["sizes"]`` (bytes, float32)."""
    times = []
    for nbytes in job["sizes"]:
        x = torch.ones(max(1, nbytes // 4))
        times.append(min(_time(lambda x=x: dist.all_reduce(x), job["reps"])))
    return {"sizes": list(job["sizes"]), "allreduce": times}


def unequal_allgather_job(rank: int, world_size: int, job: dict) -> dict:
    """Try a plain all_gather of unequal sizes (rank r sends r + 1 numbers); return gloo's error text."""
    x = torch.ones(rank + 1)
    out = [torch.empty(r + 1) for r in range(world_size)]
    try:
        dist.all_gather(out, x)
        return {"error": None}
    except RuntimeError as err:
        return {"error": f"{type(err).__name__}: {str(err).splitlines()[0]}"}


def run_jobs(rank: int, world_size: int, jobs: list[dict]) -> list[dict]:
    """Run every job in order on this rank (the launched worker function)."""
    kinds = {
        "train": train_job,
        "collectives": collectives_job,
        "alpha_beta": alpha_beta_job,
        "unequal_allgather": unequal_allgather_job,
    }
    results = []
    for job in jobs:
        if job["kind"] not in kinds:
            raise ValueError(f"job kind must be one of {', '.join(kinds)}, got {job['kind']!r}")
        results.append(kinds[job["kind"]](rank, world_size, job))
        dist.barrier()
    return results


def run_launch(
    jobs: list[dict], world_size: int, timeout_s: float, pg_timeout_s: float, retries: int = 1
) -> list[dict]:
    """Launch :func:`run_jobs` once on ``world_size`` processes and :func:`merge` the results.

    A launch that times out (a hung worker; the watchdog terminated it) is retried ``retries`` times;
    a worker that *fails* is never retried.
    """
    for attempt in range(retries + 1):
        try:
            return merge(
                launch(run_jobs, world_size, args=(jobs,), timeout_s=timeout_s, pg_timeout_s=pg_timeout_s)
            )
        except WorkerTimeout:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


def merge(results_by_rank: list[list[dict]]) -> list[dict]:
    """Combine per-rank train results: mean loss over ranks, rank 0's accuracy, digests in sync."""
    merged = []
    for per_rank in zip(*results_by_rank, strict=True):
        r0 = dict(per_rank[0])
        if "losses" in r0:
            r0["losses"] = list(np.mean([r["losses"] for r in per_rank], axis=0))
            r0["in_sync"] = len({r["digest"] for r in per_rank}) == 1
            r0["train_s"] = max(r["train_s"] for r in per_rank)
        merged.append(r0)
    return merged


def make_train_job(
    name: str,
    data,
    sizes,
    *,
    epochs: int,
    batch: int,
    lr: float,
    seed: int,
    hook: str = "none",
    rgc: RGCConfig | None = None,
    momentum: float = 0.0,
    **extra,
) -> dict:
    """Build a ``train`` job dict (a small convenience for notebooks)."""
    if hook == "rgc" and rgc is None:
        raise ValueError("rgc must be an RGCConfig when hook='rgc'")
    return {
        "kind": "train",
        "name": name,
        "data": data,
        "sizes": tuple(sizes),
        "epochs": epochs,
        "batch": batch,
        "lr": lr,
        "seed": seed,
        "hook": hook,
        "rgc": rgc,
        "momentum": momentum,
        **extra,
    }
