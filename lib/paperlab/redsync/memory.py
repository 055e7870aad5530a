"""Residual memories: what each worker keeps locally between steps (error feedback).

Plain residual (Strom 2015, Aji & Heafield 2017), per layer and worker:

    V <- V + g          (compensate)
    send V[idx];  V[idx] <- 0   (update)      so that  sent + new residual = accumulated, exactly.

DGC momentum correction: accumulate the *local velocity* instead of the gradient,

    u <- m u + g,  V <- V + u         (Nesterov: u <- (u + g) m,  V <- V + u + g)

and after sending zero both u and V at idx (momentum factor masking). The optimiser after aggregation
is then plain SGD. Layers sent dense (small layers, warm-up steps) use :meth:`dense`: plain memory
returns g; momentum memory returns the local momentum u <- m u + g without masking, which averaged
over workers is exactly momentum SGD on the averaged gradient.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from paperlab.redsync.selection import check_density


class ResidualMemory:
    """Plain error feedback; buffers keyed by layer (parameter name), created lazily as zeros."""

    stateful_momentum = False

    def __init__(self) -> None:
        self.v: dict[object, Tensor] = {}

    def compensate(self, key: object, g: Tensor) -> Tensor:
        """V <- V + g; return V (the accumulated tensor to select from; owned by the memory)."""
        if key not in self.v:
            self.v[key] = torch.zeros_like(g)
        self.v[key].add_(g)
        return self.v[key]

    def update(self, key: object, idx: Tensor) -> None:
        """Zero the sent positions: V[idx] <- 0."""
        self.v[key].view(-1)[idx] = 0

    def subtract(self, key: object, idx: Tensor, sent: Tensor) -> None:
        """A quantised send: V[idx] <- V[idx] - sent (the quantisation error stays in the residual)."""
        self.v[key].view(-1)[idx] -= sent

    def residual(self, key: object) -> Tensor:
        return self.v[key]

    def dense(self, key: object, g: Tensor) -> Tensor:
        """The tensor a dense layer sends: g itself for plain memory."""
        return g


class MomentumCorrectionMemory(ResidualMemory):
    """DGC momentum correction with momentum factor masking (``momentum`` m in [0, 1))."""

    stateful_momentum = True

    def __init__(self, momentum: float = 0.9, nesterov: bool = False) -> None:
        super().__init__()
        m = float(momentum)
        if not (math.isfinite(m) and 0.0 <= m < 1.0):
            raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
        self.momentum, self.nesterov = m, bool(nesterov)
        self.u: dict[object, Tensor] = {}

    def _velocity(self, key: object, g: Tensor) -> Tensor:
        if key not in self.u:
            self.u[key] = torch.zeros_like(g)
        u = self.u[key]
        if self.nesterov:
            u.add_(g).mul_(self.momentum)  # u <- (u + g) m
        else:
            u.mul_(self.momentum).add_(g)  # u <- m u + g
        return u

    def compensate(self, key: object, g: Tensor) -> Tensor:
        u = self._velocity(key, g)
        if key not in self.v:
            self.v[key] = torch.zeros_like(g)
        self.v[key].add_(u)  # V <- V + u
        if self.nesterov:
            self.v[key].add_(g)  # V <- V + u + g
        return self.v[key]

    def update(self, key: object, idx: Tensor) -> None:
        super().update(key, idx)
        self.u[key].view(-1)[idx] = 0  # momentum factor masking

    def subtract(self, key: object, idx: Tensor, sent: Tensor) -> None:
        super().subtract(key, idx, sent)
        self.u[key].view(-1)[idx] = 0  # momentum factor masking at the sent positions

    def dense(self, key: object, g: Tensor) -> Tensor:
        u = self._velocity(key, g)
        return u + g if self.nesterov else u.clone()


def make_memory(kind: str, momentum: float = 0.9, nesterov: bool = False) -> ResidualMemory:
    """``"residual"`` or ``"momentum"`` (DGC momentum correction)."""
    if kind == "residual":
        return ResidualMemory()
    if kind == "momentum":
        return MomentumCorrectionMemory(momentum, nesterov)
    raise ValueError(f"memory must be 'residual' or 'momentum', got {kind!r}")


def warmup_density(epoch: int, final: float, warmup_epochs: int = 4, schedule: str = "dgc-code") -> float:
    """Density of epoch ``epoch`` (0-based) under DGC's exponential sparsity warm-up.

    ``dgc-code``: c = D^(1/(W+1)), D_e = max(c^(e+1), D) -> 0.2512, 0.0631, 0.01585, 0.00398, 0.001
    for D = 0.001, W = 4. ``dgc-paper``: D_e = 4^-(e+1) for e < W, then D -> 0.25, 0.0625, ...
    """
    d = check_density(final, "final")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be a non-negative int, got {epoch!r}")
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, int) or warmup_epochs < 0:
        raise ValueError(f"warmup_epochs must be a non-negative int, got {warmup_epochs!r}")
    if epoch >= warmup_epochs:
        return d
    if schedule == "dgc-code":
        c = d ** (1.0 / (warmup_epochs + 1))
        return max(c ** (epoch + 1), d)
    if schedule == "dgc-paper":
        return max(4.0 ** -(epoch + 1), d)
    raise ValueError(f"schedule must be 'dgc-code' or 'dgc-paper', got {schedule!r}")
