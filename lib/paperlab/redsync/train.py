"""Importable worker functions: every variant of a notebook runs inside ONE launch of N processes.

``run_jobs(rank, world_size, jobs)`` executes a list of job dicts in order on every rank and returns
one result per job. Kinds:

* ``{"kind": "train", ...}`` -- data-parallel training of an MLP with DDP and a hook
  (``"none"``, ``"allreduce"``, ``"rgc"`` with ``"rgc": RGCConfig``, ``"powersgd"``);
* ``{"kind": "collectives", "n": int, "density": float, "reps": int}`` -- dense all-reduce against
  the packed sparse all-gather (and two separate all-gathers) of n float32;
* ``{"kind": "alpha_beta", "sizes": [bytes...], "reps": int}`` -- all-reduce / all-gather sweep;
* ``{"kind": "lm", ...}`` -- data-parallel training of the character LSTM language model (E3).

The same workers run under ``torchrun`` (env:// rendezvous; see :mod:`paperlab.redsync.torchrun`).
Training jobs with ``"ckpt_dir"`` save a per-rank checkpoint every ``"ckpt_every"`` steps (the residual
memories are local to each rank) and resume from the newest step that every rank has saved.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from paperlab.redsync.data import shard_batches
from paperlab.redsync.hook import RGCConfig, make_optimizer, register
from paperlab.redsync.launcher import WorkerTimeout, launch
from paperlab.redsync.lm import LSTMLM, perplexity, rank_starts, windows
from paperlab.redsync.models import mlp


def _digest(model: nn.Module) -> str:
    h = hashlib.sha256()
    for w in model.parameters():
        h.update(w.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _powersgd_in_order(state, bucket):
    """PowerSGD, waited for inside the hook: its two-phase callbacks otherwise interleave with the next
    bucket's collectives in a different order on each rank, and gloo aborts (a collective mismatch)."""
    from torch.distributed.algorithms.ddp_comm_hooks import powerSGD_hook as ps

    fut = ps.powerSGD_hook(state, bucket)
    fut.wait()
    return fut


def _device(job: dict) -> torch.device:
    """``job["device"]`` or, under torchrun with CUDA, ``cuda:LOCAL_RANK``; else the CPU."""
    if job.get("device"):
        return torch.device(job["device"])
    if torch.cuda.is_available() and dist.get_backend() == "nccl":
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return torch.device("cpu")


def _wrap(model: nn.Module, job: dict, device: torch.device):
    """DDP around ``model`` with the job's hook; returns ``(ddp, optimiser, rgc_state or None)``."""
    ddp = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    hook, cfg = job.get("hook", "none"), job.get("rgc")
    state = None
    if hook == "rgc":
        state = register(ddp, cfg)
        opt = make_optimizer(ddp.parameters(), cfg, job["lr"])
        return ddp, opt, state
    if hook == "allreduce":
        from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

        ddp.register_comm_hook(None, default_hooks.allreduce_hook)
    elif hook == "powersgd":
        from torch.distributed.algorithms.ddp_comm_hooks import powerSGD_hook as ps

        ps_state = ps.PowerSGDState(process_group=None, matrix_approximation_rank=2, start_powerSGD_iter=2)
        ddp.register_comm_hook(ps_state, _powersgd_in_order)
    elif hook != "none":
        raise ValueError(f"hook must be none, allreduce, rgc or powersgd, got {hook!r}")
    opt = torch.optim.SGD(ddp.parameters(), lr=job["lr"], momentum=job.get("momentum", 0.0))
    return ddp, opt, state


class Checkpointer:
    """Per-rank checkpoints ``<dir>/rank<r>-step<s>.pt`` (the newest two kept), written atomically.

    ``resume()`` agrees with the other ranks (an all-gather) on the newest step every rank has saved and
    loads it; a job killed between two ranks' writes therefore resumes from a consistent step.
    """

    def __init__(self, directory: str | None, every: int, rank: int) -> None:
        self.dir = Path(directory) if directory else None
        self.every, self.rank = int(every), rank
        if self.dir is not None:
            if self.every < 1:
                raise ValueError(f"ckpt_every must be >= 1, got {every!r}")
            self.dir.mkdir(parents=True, exist_ok=True)

    def _steps(self) -> list[int]:
        return sorted(int(f.stem.split("-step")[1]) for f in self.dir.glob(f"rank{self.rank}-step*.pt"))

    def save(self, step: int, payload: dict) -> None:
        if self.dir is None or step % self.every:
            return
        tmp = self.dir / f".rank{self.rank}-step{step}.tmp"
        torch.save(payload, tmp)
        os.replace(tmp, self.dir / f"rank{self.rank}-step{step}.pt")
        for old in self._steps()[:-2]:
            (self.dir / f"rank{self.rank}-step{old}.pt").unlink(missing_ok=True)

    def resume(self) -> dict | None:
        if self.dir is None:
            return None
        mine = self._steps()
        gathered: list[list[int]] = [[] for _ in range(dist.get_world_size())]
        dist.all_gather_object(gathered, mine)
        common = set(gathered[0]).intersection(*map(set, gathered[1:]))
        if not common:
            return None
        return torch.load(self.dir / f"rank{self.rank}-step{max(common)}.pt", weights_only=False)


def _maybe_fail(job: dict, rank: int, step: int) -> None:
    """Fault injection for the tests: ``job["fail_at"] = (rank, step)`` kills that rank with exit code 3
    at that step, on the first attempt only (``TORCHELASTIC_RESTART_COUNT`` 0 or unset)."""
    fail = job.get("fail_at")
    if fail and rank == fail[0] and step == fail[1] and os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0":
        os._exit(3)


def train_job(rank: int, world_size: int, job: dict) -> dict:
    """Train ``mlp(job["sizes"])`` with DDP on this rank's shard; see the module docstring."""
    xtr, ytr, xte, yte = job["data"]
    dtype = job.get("dtype", torch.float32)
    device = _device(job)
    xtr_t, ytr_t = torch.as_tensor(xtr, dtype=dtype).to(device), torch.as_tensor(ytr).to(device)
    xte_t, yte_t = torch.as_tensor(xte, dtype=dtype).to(device), torch.as_tensor(yte).to(device)
    torch.manual_seed(job["seed"])  # one shared initialisation (DDP also broadcasts rank 0's)
    model = mlp(job["sizes"]).to(dtype).to(device)
    ckpt = Checkpointer(job.get("ckpt_dir"), job.get("ckpt_every", 1), rank)
    resumed = ckpt.resume()
    if resumed is not None:  # before DDP, which broadcasts rank 0's parameters
        model.load_state_dict(resumed["model"])
    ddp, opt, state = _wrap(model, job, device)
    losses, accs, test_losses, t_train, step, epochs_done = [], [], [], 0.0, 0, 0
    if resumed is not None:
        opt.load_state_dict(resumed["opt"])
        if state is not None:
            state.load_state_dict(resumed["rgc"])
        losses, step = list(resumed["losses"]), int(resumed["step"])
        accs, test_losses = (list(v) for v in resumed["evals"])
        epochs_done = int(resumed["epochs_done"])
    max_steps = job.get("max_steps")
    for epoch in range(job["epochs"]):
        if state is not None:
            state.set_epoch(epoch)
        if epoch < epochs_done:
            continue  # a resumed job: this epoch and its evaluation are done
        batches = shard_batches(len(ytr), world_size, rank, job["batch"], epoch, job["seed"])
        first = epoch * len(batches)
        t0 = time.perf_counter()
        for i, idx in enumerate(batches):
            if first + i < step:
                continue  # done before the checkpoint
            if max_steps is not None and step >= max_steps:
                break
            _maybe_fail(job, rank, step)
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(ddp(xtr_t[idx]), ytr_t[idx])
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            step += 1
            if i < len(batches) - 1:
                ckpt.save(step, _ckpt_payload(model, opt, state, losses, (accs, test_losses), step, epoch))
        t_train += time.perf_counter() - t0
        if job.get("eval", True):
            with torch.no_grad():
                logits = model(xte_t)
                accs.append(float((logits.argmax(1) == yte_t).double().mean()))
                test_losses.append(float(nn.functional.cross_entropy(logits, yte_t)))
        ckpt.save(step, _ckpt_payload(model, opt, state, losses, (accs, test_losses), step, epoch + 1))
    return _result(job, model, state, losses, t_train, acc=accs, test_loss=test_losses, steps=step)


def _ckpt_payload(model, opt, state, losses, evals, step, epochs_done) -> dict:
    return {"model": model.state_dict(), "opt": opt.state_dict(), "rgc": state.state_dict() if state else None,
            "losses": list(losses), "evals": [list(v) for v in evals], "step": step, "epochs_done": epochs_done}


def _result(job: dict, model: nn.Module, state, losses: list, t_train: float, **extra) -> dict:
    out = {
        "name": job["name"],
        "losses": losses,
        "digest": _digest(model),
        "train_s": t_train,
        "stats": state.stats() if state is not None else None,
        "bytes_sent": list(state.bytes_sent) if state is not None else None,
        "bytes_dense": list(state.bytes_dense) if state is not None else None,
        "bytes_wire": list(state.bytes_wire) if state is not None else None,
        "nnz": list(state.nnz) if state is not None else None,
        **extra,
    }
    if job.get("return_params"):
        out["params"] = {n: w.detach().cpu().clone() for n, w in model.named_parameters()}
    return out


def lm_job(rank: int, world_size: int, job: dict) -> dict:
    """Train the character LSTM LM (``job["lm"]`` = vocab, emb, hidden, layers) for ``job["steps"]`` steps.

    Each rank draws ``batch`` windows of ``seq`` characters from its contiguous 1/p of the training text.
    Dense runs clip the aggregated gradient to ``clip``; RGC runs clip locally inside the hook (the
    RGCConfig's ``clip_norm``). Validation perplexity every ``eval_every`` steps on ``eval_windows``
    fixed windows of the validation text (``ppl``, with the steps in ``ppl_steps``).
    """
    corpus = job["corpus"]
    train_ids, val_ids = corpus["train"], corpus["val"]
    device = _device(job)
    torch.manual_seed(job["seed"])
    model = LSTMLM(*job["lm"]).to(device)
    ddp, opt, state = _wrap(model, job, device)
    seq, batch, clip = job["seq"], job["batch"], job.get("clip")
    losses, ppl, ppl_steps, t_train = [], [], [], 0.0
    vocab = job["lm"][0]
    for step in range(job["steps"]):
        t0 = time.perf_counter()
        x, y = windows(train_ids, rank_starts(len(train_ids), seq, batch, rank, world_size, step, job["seed"]), seq)
        x, y = x.to(device), y.to(device)
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(ddp(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        if clip is not None and state is None:
            nn.utils.clip_grad_norm_(ddp.parameters(), clip)
        opt.step()
        losses.append(float(loss.detach()))
        t_train += time.perf_counter() - t0
        if (step + 1) % job["eval_every"] == 0 or step + 1 == job["steps"]:
            ppl.append(perplexity(model, val_ids, seq, job["eval_windows"]))
            ppl_steps.append(step + 1)
    return _result(job, model, state, losses, t_train, ppl=ppl, ppl_steps=ppl_steps)


def _time(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def collectives_job(rank: int, world_size: int, job: dict) -> dict:
    """Times (s) of dense fp32 all-reduce of n floats against sparse all-gathers of k = D n pairs.

    The three contenders are interleaved: one of each per round, the order rotating every round, after
    one untimed warm-up round, so their per-round ratios are paired (``reps`` rounds).
    """
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

    contenders = {
        "allreduce": lambda: dist.all_reduce(dense.clone()),
        "allgather_packed": lambda: dist.all_gather(out_p, packed),
        "allgather_two": two,
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for rnd in range(reps + 1):
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            dist.barrier()
            t0 = time.perf_counter()
            contenders[name]()
            if rnd:  # round 0 is the warm-up
                times[name].append(time.perf_counter() - t0)
    return {
        "p": world_size,
        "n": n,
        "k": k,
        **times,
        "bytes_allreduce": 2 * (world_size - 1) / world_size * 4 * n,
        "bytes_allgather": (world_size - 1) * 8 * k,
    }


def alpha_beta_job(rank: int, world_size: int, job: dict) -> dict:
    """Minimum time (s) of an all-reduce and of an all-gather of each size in ``job["sizes"]`` (bytes per
    rank, float32), the sizes visited in a rotating order each round (``reps`` rounds)."""
    sizes = list(job["sizes"])
    xs = [torch.ones(max(1, nbytes // 4)) for nbytes in sizes]
    outs = [[torch.empty_like(x) for _ in range(world_size)] for x in xs]
    ar = [[] for _ in sizes]
    ag = [[] for _ in sizes]
    for rnd in range(job["reps"]):
        for j in [(rnd + i) % len(sizes) for i in range(len(sizes))]:
            ar[j] += _time(lambda j=j: dist.all_reduce(xs[j]), 1)
            ag[j] += _time(lambda j=j: dist.all_gather(outs[j], xs[j]), 1)
    return {"sizes": sizes, "allreduce": [min(t) for t in ar], "allgather": [min(t) for t in ag]}


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
        "lm": lm_job,
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
            r0["losses"] = [float(v) for v in np.mean([r["losses"] for r in per_rank], axis=0)]
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


if __name__ == "__main__":  # ``python -m paperlab.redsync.train`` under torchrun
    import sys

    from paperlab.redsync.torchrun import main

    sys.exit(main())
