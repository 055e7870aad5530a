"""NAMSG / ARSG as a standard ``torch.optim.Optimizer`` (Chen et al., arXiv 1905.01422).

Normalised form (paper and MXNet code), per parameter, ``m_0 = 0, v_0 = 0, vhat_0 = eps``:

    g_t    = grad f(x_t) + wd * x_t                       (coupled weight decay, like torch.optim.Adam)
    m_t    = beta1 m_{t-1} + (1 - beta1) g_t
    v_t    = beta2 v_{t-1} + (1 - beta2) g_t^2
    vhat_t = max(vhat_{t-1}, v_t)                          (AMSGrad preconditioner; eps lives in vhat_0)
    x_{t+1} = x_t - alpha ((1 - mu) m_t + mu g_t) / sqrt(vhat_t)

No bias correction. ``(1-mu) m + mu g`` is the gradient "observed" ``eta = mu beta1/(1-beta1)``
momentum steps ahead, obtained by a change of variables instead of a second gradient evaluation.

Other branches: ``amsgrad=False`` is Adam-style (bias-corrected, ``eps`` added to ``sqrt(v)``):
``x -= alpha [((1-mu) m + mu g)/(1-beta1^t)] / (sqrt(v/(1-beta2^t)) + eps)``; with ``mu = 1 - beta1``
(``mu=None``) that is Dozat's simplified NAdam. ``adaptive=False`` drops the preconditioner (RSG):
``x -= alpha ((1-mu) m + mu g)``; with ``mu = 0`` it is heavy-ball SGD.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import partial

import torch
from torch import Tensor

from paperlab.namsg import theory

__all__ = ["NAMSG", "NAdamStyle", "namsg"]


def _check_hyper(lr, betas, mu, eps, weight_decay) -> None:
    if isinstance(lr, Tensor) or not isinstance(lr, int | float) or isinstance(lr, bool):
        raise TypeError(f"lr must be a Python float, got {type(lr).__name__}")
    if not 0.0 <= lr or not math.isfinite(lr):
        raise ValueError(f"Invalid learning rate (lr): {lr}")
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        if not 0.0 <= float(b) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i} (betas): {b}")
    if mu is not None and not 0.0 <= float(mu) <= 1.0:
        raise ValueError(f"Invalid observation factor (mu): {mu}; it must lie in [0, 1] or be None")
    if not float(eps) > 0.0:
        raise ValueError(f"Invalid epsilon value (eps): {eps}; it must be > 0 (vhat_0 = eps)")
    if not 0.0 <= float(weight_decay):
        raise ValueError(f"Invalid weight_decay value (weight_decay): {weight_decay}")


class NAMSG(torch.optim.Optimizer):
    """NAMSG (ARSG with the AMSGrad preconditioner).

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: step size ``alpha`` (typically 4-50x Adam's; grid-search it).
        betas: ``(beta1, beta2)``; the paper's defaults are ``(0.999, 0.99)``.
        mu: observation factor in ``[0, 1]``; ``None`` means ``1 - beta1`` (NAdam-like).
        eps: initial value of the running maximum ``vhat`` (``amsgrad=True``), so the denominator is at
            least ``sqrt(eps)``; added to ``sqrt(v_hat)`` as in Adam when ``amsgrad=False``.
        weight_decay: coupled L2 penalty added to the gradient.
        amsgrad: use the max preconditioner without bias correction (the paper's method).
        adaptive: divide by the preconditioner; ``False`` gives RSG (remote SGD).
        maximize: ascend instead of descend.
        foreach: use the multi-tensor ``torch._foreach_*`` path (default, as in torch: only when all
            parameters are on CUDA; on CPU the per-tensor loop keeps each tensor in cache and is faster).

    State per parameter: ``step`` (float32 scalar tensor), ``exp_avg`` (m), and when adaptive
    ``exp_avg_sq`` (v) and, with amsgrad, ``max_exp_avg_sq`` (vhat). ``state_dict()`` matches state to
    parameters by position, as every torch optimizer does: a model with reordered parameters of equal
    count is not detected.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        betas: tuple[float, float] = (0.999, 0.99),
        mu: float | None = 0.1,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = True,
        adaptive: bool = True,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        _check_hyper(lr, betas, mu, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            mu=mu,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            adaptive=adaptive,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            _check_hyper(group["lr"], group["betas"], group["mu"], group["eps"], group["weight_decay"])

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("adaptive", True)

    def _init_group(self, group: dict, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps) -> None:
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.grad.is_sparse:
                raise RuntimeError(
                    "NAMSG does not support sparse gradients; use a dense embedding or SparseAdam"
                )
            if torch.is_complex(p):
                raise RuntimeError(
                    "NAMSG does not support complex parameters; optimise torch.view_as_real(p)"
                )
            state = self.state[p]
            if len(state) == 0:
                state["step"] = torch.tensor(0.0, dtype=torch.float32)
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if group["adaptive"]:
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if group["amsgrad"]:
                        # vhat_0 = eps: eps initialises the running max, it is never added to sqrt(vhat)
                        state["max_exp_avg_sq"] = torch.full_like(
                            p, group["eps"], memory_format=torch.preserve_format
                        )
            params.append(p)
            grads.append(p.grad)
            exp_avgs.append(state["exp_avg"])
            if group["adaptive"]:
                exp_avg_sqs.append(state["exp_avg_sq"])
                if group["amsgrad"]:
                    max_exp_avg_sqs.append(state["max_exp_avg_sq"])
            steps.append(state["step"])

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):
        """Perform one update; returns the closure's loss (``None`` without a closure)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps = [], [], [], [], [], []
            self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps)
            if not params:
                continue
            beta1, beta2 = group["betas"]
            namsg(
                params,
                grads,
                exp_avgs,
                exp_avg_sqs,
                max_exp_avg_sqs,
                steps,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                mu=1 - beta1 if group["mu"] is None else group["mu"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                amsgrad=group["amsgrad"],
                adaptive=group["adaptive"],
                maximize=group["maximize"],
                foreach=group["foreach"],
            )
        return loss

    def boost(self, factor: float = 2.0, lr_ratio: float | None = None) -> list[tuple[float, float]]:
        """Observation boost (OBSB) on every group: ``mu <- factor mu`` and ``lr <- lr_ratio lr``.

        ``lr_ratio=None`` uses :func:`paperlab.namsg.theory.obsb_lr_ratio`, which keeps ``tau`` at the
        gain-minimising point (0.2483 for beta1 = 0.999, mu 0.05 -> 0.1). Returns ``[(mu, lr), ...]``
        after the boost. The change lives in ``param_groups``, so it survives ``state_dict()``.
        """
        if not factor > 0:
            raise ValueError(f"factor must be positive, got {factor}")
        if lr_ratio is not None and not lr_ratio > 0:
            raise ValueError(f"lr_ratio must be positive, got {lr_ratio}")
        out = []
        for group in self.param_groups:
            beta1 = group["betas"][0]
            mu_old = 1 - beta1 if group["mu"] is None else group["mu"]
            mu_new = mu_old * factor
            if not 0 < mu_new <= 1:
                raise ValueError(f"factor {factor} takes mu from {mu_old} to {mu_new}, outside (0, 1]")
            ratio = theory.obsb_lr_ratio(beta1, mu_old, mu_new) if lr_ratio is None else lr_ratio
            group["mu"], group["lr"] = mu_new, group["lr"] * ratio
            out.append((group["mu"], group["lr"]))
        return out

    @torch.no_grad()
    def restart(self) -> None:
        """Reset the running maximum to the current second moment, ``vhat <- v`` (official-code parity)."""
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state.get(p, {})
                if "max_exp_avg_sq" in state:
                    state["max_exp_avg_sq"].copy_(state["exp_avg_sq"])


NAdamStyle = partial(NAMSG, mu=None, amsgrad=False)
NAdamStyle.__doc__ = "Dozat's simplified NAdam: NAMSG with mu = 1 - beta1, bias correction, no max."


def namsg(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    max_exp_avg_sqs: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    mu: float,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    adaptive: bool,
    maximize: bool,
    foreach: bool | None,
) -> None:
    """Functional NAMSG (like ``torch.optim.adam.adam``): updates params and buffers in place."""
    # torch's rule: multi-tensor kernels by default on CUDA only (on CPU the per-tensor loop is faster)
    if foreach is None:
        foreach = bool(params) and all(p.is_cuda for p in params)
    fn = _multi_tensor if foreach else _single_tensor
    fn(
        params,
        grads,
        exp_avgs,
        exp_avg_sqs,
        max_exp_avg_sqs,
        state_steps,
        lr=lr,
        beta1=beta1,
        beta2=beta2,
        mu=mu,
        eps=eps,
        weight_decay=weight_decay,
        amsgrad=amsgrad,
        adaptive=adaptive,
        maximize=maximize,
    )


def _mix(m: Tensor, g: Tensor, mu: float) -> tuple[Tensor, float]:
    """``(num, scale)`` with ``scale * num = (1-mu) m + mu g``, computed in one pass."""
    if mu == 1:
        return g, 1.0
    return torch.add(m, g, alpha=mu / (1 - mu)), 1 - mu


def _single_tensor(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    max_exp_avg_sqs,
    state_steps,
    *,
    lr,
    beta1,
    beta2,
    mu,
    eps,
    weight_decay,
    amsgrad,
    adaptive,
    maximize,
) -> None:
    for i, p in enumerate(params):
        g = -grads[i] if maximize else grads[i]
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)  # g_t <- g_t + wd x_t
        m = exp_avgs[i]
        state_steps[i] += 1
        m.lerp_(g, 1 - beta1)  # m_t = beta1 m + (1-beta1) g
        # (1-mu) m_t + mu g_t = (1-mu) (m_t + mu/(1-mu) g_t): one fused pass, the (1-mu) goes into the step
        num, scale = _mix(m, g, mu)
        if not adaptive:
            p.add_(num, alpha=-lr * scale)  # RSG: x -= alpha ((1-mu) m + mu g)
            continue
        v = exp_avg_sqs[i]
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)  # v_t = beta2 v + (1-beta2) g^2
        if amsgrad:
            vhat = max_exp_avg_sqs[i]
            torch.maximum(vhat, v, out=vhat)  # vhat_t = max(vhat_{t-1}, v_t)
            p.addcdiv_(num, vhat.sqrt(), value=-lr * scale)  # x -= alpha ((1-mu) m + mu g) / sqrt(vhat)
        else:
            t = state_steps[i].item()
            bc1, bc2 = 1 - beta1**t, 1 - beta2**t
            denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
            p.addcdiv_(num, denom, value=-lr * scale / bc1)


def _multi_tensor(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    max_exp_avg_sqs,
    state_steps,
    *,
    lr,
    beta1,
    beta2,
    mu,
    eps,
    weight_decay,
    amsgrad,
    adaptive,
    maximize,
) -> None:
    """The same arithmetic as ``_single_tensor`` with ``torch._foreach_*`` kernels, grouped by device/dtype."""
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault((p.device, p.dtype), []).append(i)
    for idx in groups.values():
        ps = [params[i] for i in idx]
        gs = [grads[i] for i in idx]
        ms = [exp_avgs[i] for i in idx]
        if maximize:
            gs = torch._foreach_neg(gs)
        if weight_decay != 0:
            gs = torch._foreach_add(gs, ps, alpha=weight_decay)
        torch._foreach_add_([state_steps[i] for i in idx], 1)
        torch._foreach_lerp_(ms, gs, 1 - beta1)
        if not adaptive:
            torch._foreach_add_(ps, ms, alpha=-lr * (1 - mu))  # RSG: x -= alpha ((1-mu) m + mu g)
            torch._foreach_add_(ps, gs, alpha=-lr * mu)
            continue
        vs = [exp_avg_sqs[i] for i in idx]
        torch._foreach_mul_(vs, beta2)
        torch._foreach_addcmul_(vs, gs, gs, value=1 - beta2)
        if amsgrad:
            vhats = [max_exp_avg_sqs[i] for i in idx]
            torch._foreach_maximum_(vhats, vs)
            denom = torch._foreach_sqrt(vhats)
            # two in-place passes instead of allocating (1-mu) m + mu g for every tensor
            torch._foreach_addcdiv_(ps, ms, denom, value=-lr * (1 - mu))
            torch._foreach_addcdiv_(ps, gs, denom, value=-lr * mu)
        else:
            for j, i in enumerate(idx):  # bias corrections may differ per tensor (steps can differ)
                t = state_steps[i].item()
                bc1, bc2 = 1 - beta1**t, 1 - beta2**t
                denom = (vs[j].sqrt() / math.sqrt(bc2)).add_(eps)
                ps[j].addcdiv_(ms[j], denom, value=-lr * (1 - mu) / bc1)
                ps[j].addcdiv_(gs[j], denom, value=-lr * mu / bc1)
