"""Independent float64 numpy references of the NAMSG rule, in the paper's two parametrisations.

Both take ``grad_fn(x) -> g`` (numpy, same shape as ``x``) and return the iterates ``x_0 .. x_T`` as an
array of shape ``(steps + 1, *x0.shape)``. Written without torch so the tests compare two codes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def namsg_reference_np(
    x0: np.ndarray,
    grad_fn: Callable[[np.ndarray], np.ndarray],
    steps: int,
    lr: float,
    beta1: float = 0.999,
    beta2: float = 0.99,
    mu: float = 0.1,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> np.ndarray:
    """Normalised form (paper, MXNet): ``m, v`` are averages and ``vhat_0 = eps``."""
    if steps < 0:
        raise ValueError(f"steps must be non-negative, got {steps}")
    x = np.array(x0, dtype=np.float64)
    m, v, vhat = np.zeros_like(x), np.zeros_like(x), np.full_like(x, eps)
    out = [x.copy()]
    for _ in range(steps):
        g = grad_fn(x)
        g = -g if maximize else g
        g = g + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vhat = np.maximum(vhat, v)
        x = x - lr * ((1 - mu) * m + mu * g) / np.sqrt(vhat)
        out.append(x.copy())
    return np.stack(out)


def namsg_reference_unnormalised_np(
    x0: np.ndarray,
    grad_fn: Callable[[np.ndarray], np.ndarray],
    steps: int,
    lr: float,
    beta1: float = 0.999,
    beta2: float = 0.99,
    mu: float = 0.1,
    eps: float = 1e-8,
) -> np.ndarray:
    """Unnormalised form of the official PyTorch code: ``m' = m/(1-beta1)``, ``v' = v/(1-beta2)``,
    ``vhat'_0 = eps/(1-beta2)``, and the step rescaled by ``(1-beta1)`` and ``sqrt(1-beta2)``."""
    if steps < 0:
        raise ValueError(f"steps must be non-negative, got {steps}")
    x = np.array(x0, dtype=np.float64)
    m, v, vhat = np.zeros_like(x), np.zeros_like(x), np.full_like(x, eps / (1 - beta2))
    out = [x.copy()]
    for _ in range(steps):
        g = grad_fn(x)
        m = beta1 * m + g
        v = beta2 * v + g * g
        vhat = np.maximum(vhat, v)
        x = x - lr * ((1 - mu) * (1 - beta1) * m + mu * g) / np.sqrt((1 - beta2) * vhat)
        out.append(x.copy())
    return np.stack(out)
