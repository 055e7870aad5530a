"""A small CNN (conv 3x3 pad 1 + fused ReLU -> 2x2 max pool -> dense) compiled ahead of time.

The graph is what swTVM's AOT mode produces for Sunway: a fixed sequence of host steps and CPE kernels on
one statically planned arena (:mod:`paperlab.compiler.aot`). Kernels use tuned template points.
"""

from __future__ import annotations

import numpy as np

from paperlab.compiler import aot, ops
from paperlab.compiler.lower import lower
from paperlab.swtvm import schedules as S

__all__ = ["small_cnn", "reference"]


def _tuned_func(op: ops.Op, budget: int, epilogue: str | None = None):
    res = S.tuned(op, budget, seed=0)
    tiles = {k: v for k, v in res.best.items() if k != "vec"}
    return lower(S.template(op, tiles, vec=res.best["vec"]), name=op.name, epilogue=epilogue)


def small_cnn(
    C: int, H: int, W: int, F: int, rng: np.random.Generator, classes: int = 10, tune_budget: int = 40
) -> aot.Graph:
    """Graph of ``input[C, H, W] -> pad -> conv(F, 3x3)+relu -> maxpool 2x2 -> dense(classes)`` with
    seeded weights (``H`` and ``W`` even)."""
    if H % 2 or W % 2:
        raise ValueError(f"H and W must be even for the 2x2 pool, got H={H}, W={W}")
    conv = ops.conv2d(C, H, W, F, 3, stride=1, pad=1, name="conv1")
    pool = ops.max_pool2d(F, H, W, 2, 2, name="pool1")
    n_flat = F * (H // 2) * (W // 2)
    fc = ops.dense(1, n_flat, classes, name="fc1")
    steps = [
        aot.Step("pad0", "pad", ["input"], conv.inputs[0].shape, pad=1),
        aot.Step("conv1", "kernel", ["pad0", "w_conv"], (F, H, W), _tuned_func(conv, tune_budget, "relu")),
        aot.Step("pool1", "kernel", ["conv1"], (F, H // 2, W // 2), _tuned_func(pool, tune_budget)),
        aot.Step("fc1", "kernel", ["pool1", "w_fc"], (1, classes), _tuned_func(fc, tune_budget)),
    ]
    params = {
        "w_conv": (rng.standard_normal((F, C, 3, 3)) / np.sqrt(9 * C)).astype(np.float32),
        "w_fc": (rng.standard_normal((classes, n_flat)) / np.sqrt(n_flat)).astype(np.float32),
    }
    return aot.Graph((C, H, W), steps, params)


def reference(graph: aot.Graph, x: np.ndarray) -> np.ndarray:
    """The same network in torch (conv2d padding 1, relu, max_pool2d 2, linear without bias)."""
    import torch
    import torch.nn.functional as Fn

    with torch.no_grad():
        t = torch.from_numpy(x)[None]
        t = Fn.relu(Fn.conv2d(t, torch.from_numpy(graph.params["w_conv"]), padding=1))
        t = Fn.max_pool2d(t, 2)
        t = Fn.linear(t.reshape(1, -1), torch.from_numpy(graph.params["w_fc"]))
    return t.numpy()
