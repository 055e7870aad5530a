"""A single-process reference of RGC with p virtual workers: dense arithmetic only.

No DDP, no hook, no packing, and exact top-k by a full ``torch.sort`` (not ``torch.topk``): an
independent code path that the 2-process hook must reproduce. Per step t and parameter w (N elements):

    g_i   = grad of worker i's loss, preprocessed (g + wd w, local clipping)
    warm step (t < start_iter): s_i = g_i
    dense layer:                s_i = g_i            (momentum memory: u_i <- m u_i + g_i; s_i = u_i)
    compressed layer:           u_i <- m u_i + g_i;  V_i <- V_i + u_i     (plain memory: V_i <- V_i + g_i)
                                idx_i = top-k(|V_i|) by sort; s_i = scatter(idx_i, V_i[idx_i])
                                V_i[idx_i] <- 0;  u_i[idx_i] <- 0
    G = (1/p) sum_i s_i,   then the optimiser step with G (plain SGD with momentum memory).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from paperlab.redsync.hook import RGCConfig, bytes_of, make_optimizer, preprocess
from paperlab.redsync.selection import ExactTopK, num_selected


def _sort_topk(v: Tensor, k: int) -> Tensor:
    return torch.sort(v.abs(), descending=True, stable=True).indices[:k]


def simulate_rgc(
    model_fn: Callable[[], nn.Module],
    batches: list[list[tuple[Tensor, Tensor]]],
    cfg: RGCConfig,
    lr: float,
    seed: int = 0,
    steps_per_epoch: int | None = None,
    loss_fn: Callable = nn.functional.cross_entropy,
) -> dict:
    """Run RGC for ``len(batches[0])`` steps on ``p = len(batches)`` virtual workers.

    ``batches[i][t]`` is worker i's ``(x, y)`` at step t. Returns ``params`` (name -> tensor),
    ``losses`` (mean over workers, per step) and ``bytes_sent`` (worker 0's bytes, per step).
    """
    p, steps = len(batches), len(batches[0])
    torch.manual_seed(seed)
    model = model_fn()
    names = [n for n, _ in model.named_parameters()]
    opt = make_optimizer(model.parameters(), cfg, lr)
    u = [{n: torch.zeros_like(w) for n, w in model.named_parameters()} for _ in range(p)]
    v = [{n: torch.zeros_like(w) for n, w in model.named_parameters()} for _ in range(p)]
    selectors = [copy.deepcopy(cfg.selector) for _ in range(p)]
    m = cfg.momentum
    losses, sent_log = [], []
    for t in range(steps):
        epoch = t // steps_per_epoch if steps_per_epoch else 0
        density = cfg.density_at(epoch)
        grads, step_loss = [], 0.0
        for i in range(p):
            x, y = batches[i][t]
            loss = loss_fn(model(x), y)
            grads.append(torch.autograd.grad(loss, list(model.parameters())))
            step_loss += float(loss.detach()) / p
        total, sent = {}, 0
        for j, (name, w) in enumerate(model.named_parameters()):
            n = w.numel()
            acc = torch.zeros(n, dtype=w.dtype)
            for i in range(p):
                g = preprocess(grads[i][j].flatten(), w.detach().flatten(), cfg, p)
                if t < cfg.start_iter:  # warm steps: the raw gradient, no memory
                    acc = acc + g
                    sent += bytes_of(n, w.dtype) if i == 0 else 0
                    continue
                mom = cfg.memory == "momentum"
                if mom:
                    ui = u[i][name].view(-1)
                    if cfg.nesterov:
                        ui.copy_((ui + g) * m)
                    else:
                        ui.copy_(m * ui + g)
                if n < cfg.min_numel:
                    s = (ui + g if cfg.nesterov else ui.clone()) if mom else g
                    nbytes = bytes_of(n, w.dtype)
                else:
                    vi = v[i][name].view(-1)
                    vi.add_((ui + g if cfg.nesterov else ui) if mom else g)
                    k = num_selected(n, density)
                    if isinstance(cfg.selector, ExactTopK):
                        idx = _sort_topk(vi, k)
                    else:
                        idx = selectors[i].select(vi, k, key=name)
                    s = torch.zeros(n, dtype=w.dtype).scatter(0, idx, vi[idx])
                    vi[idx] = 0
                    if mom:
                        ui[idx] = 0
                    nbytes = bytes_of(n, w.dtype, idx.numel())
                acc = acc + s
                if i == 0:
                    sent += nbytes
            total[name] = (acc / p).view_as(w)
        for name, w in model.named_parameters():
            w.grad = total[name]
        opt.step()
        losses.append(step_loss)
        sent_log.append(sent)
    return {
        "params": {n: w.detach().clone() for n, w in zip(names, model.parameters(), strict=True)},
        "losses": losses,
        "bytes_sent": sent_log,
        "finite": all(math.isfinite(x) for x in losses),
    }
