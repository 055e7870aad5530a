"""Data-parallel training of a small CNN on scikit-learn digits with a hand-written allreduce (gloo).

Each of P ranks holds the same initial model, takes its 1/P share of every global batch, packs all
gradients into one contiguous buffer scaled by 1/P (swCaffe's ``local_diff`` + ``caffe_scal``), runs one
allreduce after the full backward pass (no overlap, as ``solver.cpp``), unpacks and takes an SGD step.
In exact arithmetic this equals single-process training on the global batch:

    g = (1/P) sum_p (1/b) sum_{i in shard p} grad l_i = (1/(P b)) sum_i grad l_i.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from paperlab.swcaffe.dist_allreduce import GlooComm, allreduce, launch


def small_cnn() -> nn.Module:
    """8x8 digits -> conv(1->8, 3, pad 1) -> ReLU -> maxpool 2 -> fc(128 -> 10)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10)
    )


def load_digits_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,797 scikit-learn digits as ``(N, 1, 8, 8)`` floats in [0, 1] and labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return torch.tensor(d.images / 16.0, dtype=torch.float32)[:, None], torch.tensor(d.target)


def _batches(n: int, batch: int, steps: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.choice(n, batch, replace=False) for _ in range(steps)]


def train_single(steps: int, batch: int, seed: int = 0, lr: float = 0.1) -> torch.Tensor:
    """Single-process reference: the flat parameter vector after ``steps`` SGD steps."""
    x, y = load_digits_tensors()
    torch.manual_seed(seed)
    model = small_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for idx in _batches(len(y), batch, steps, seed):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _dp_worker(rank, p, rdzv, timeout_s, q, algo, steps, batch, seed, lr, x, y):
    from paperlab.swcaffe.dist_allreduce import _init

    dist = _init(rank, p, rdzv, timeout_s)
    torch.manual_seed(seed)
    model = small_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    params = list(model.parameters())
    for idx in _batches(len(y), batch, steps, seed):
        shard = np.array_split(idx, p)[rank]
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[shard]), y[shard]).backward()
        flat = torch.cat([q_.grad.reshape(-1) for q_ in params]) / p  # gradient packing, pre-scaled by 1/P
        flat = allreduce(GlooComm(), flat, algo)
        for q_, g in zip(params, torch.split(flat, [q_.numel() for q_ in params]), strict=True):
            q_.grad.copy_(g.view_as(q_))
        opt.step()
    dist.barrier()
    dist.destroy_process_group()
    return torch.cat([q_.detach().reshape(-1) for q_ in params]).numpy()  # numpy: no fd passing


def train_data_parallel(
    p: int, algo: str, steps: int, batch: int, seed: int = 0, lr: float = 0.1, timeout_s: float = 120.0
) -> dict:
    """Train on ``p`` gloo processes; returns ``max_abs_diff`` to :func:`train_single`, ``ranks_equal``."""
    if batch % p:
        raise ValueError(f"batch={batch} must be divisible by p={p}")
    ref = train_single(steps, batch, seed, lr)
    x, y = load_digits_tensors()  # loaded before forking: the children inherit it
    outs = launch(_dp_worker, p, (algo, steps, batch, seed, lr, x, y), timeout_s=timeout_s)
    return {
        "max_abs_diff": float(np.abs(outs[0] - ref.numpy()).max()),
        "ranks_equal": all(np.array_equal(o, outs[0]) for o in outs),
        "n_params": int(ref.numel()),
    }
