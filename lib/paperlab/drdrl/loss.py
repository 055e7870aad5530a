r"""The DRDRL loss: C51 cross-entropy on the full (convolved) distribution minus :math:`\lambda J_{disent}`.

The default regulariser (``kind="js"``) is bounded by :math:`\ln 2`, so :math:`\lambda J \le \lambda \ln 2`.
"""

from __future__ import annotations

import torch

from paperlab.drdrl.model import DRDRLNet
from paperlab.drdrl.ops import categorical_target, convolve_categoricals

EPS = 1e-8


def _entropy(p: torch.Tensor) -> torch.Tensor:
    return -(p * p.clamp_min(EPS).log()).sum(-1)


def disentanglement(
    full_probs: torch.Tensor, sub_q: torch.Tensor, kind: str = "kl"
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-sample disentanglement of the full distributions at the channels' greedy actions.

    :math:`a^*_i = \arg\max_a Q_i(s,a)` and :math:`F_i = F(s, a^*_i)`. ``full_probs [B, A, M]``, ``sub_q [B, N, A]``.

    - ``kind="kl"``: :math:`J = \sum_{i \ne j} \mathrm{KL}(F_i \| F_j)` (the reviewers' reading of the paper;
      unbounded);
    - ``"ce"``: the same with cross-entropies (= KL + entropy of the first argument; the derivative code's form);
    - ``"js"``: :math:`J = \frac{1}{N(N-1)} \sum_{i \ne j} \mathrm{JS}(F_i, F_j)`, the mean pairwise
      Jensen-Shannon divergence, bounded in :math:`[0, \ln 2]` (nats), so maximising it cannot outgrow the TD loss.

    The argmax carries no gradient. Returns ``(J [B], a_star [B, N])``.
    """
    if kind not in ("kl", "ce", "js"):
        raise ValueError(f"kind must be 'kl', 'ce' or 'js', got {kind!r}")
    if (
        full_probs.ndim != 3
        or sub_q.ndim != 3
        or sub_q.shape[0] != full_probs.shape[0]
        or sub_q.shape[2] != full_probs.shape[1]
    ):
        raise ValueError(
            f"full_probs must be [B, A, M] and sub_q [B, N, A], got {tuple(full_probs.shape)}, {tuple(sub_q.shape)}"
        )
    a_star = sub_q.detach().argmax(-1)  # [B, N]
    f = torch.gather(full_probs, 1, a_star[:, :, None].expand(-1, -1, full_probs.shape[2]))  # [B, N, M]
    n = f.shape[1]
    off = 1 - torch.eye(n)
    if kind == "js":
        h = _entropy(f)  # [B, N]
        mix = 0.5 * (f[:, :, None, :] + f[:, None, :, :])  # [B, i, j, M]
        js = (_entropy(mix) - 0.5 * (h[:, :, None] + h[:, None, :])).clamp_min(0)
        return (js * off).sum((1, 2)) / max(n * (n - 1), 1), a_star
    log_f = f.clamp_min(EPS).log()
    ce = -(f[:, :, None, :] * log_f[:, None, :, :]).sum(-1)  # [B, i, j] = -sum p_i log p_j
    if kind == "kl":
        ce = ce - torch.diagonal(ce, dim1=1, dim2=2)[:, :, None]  # KL(p_i||p_j) = CE(p_i,p_j) - H(p_i)
    return (ce * off).sum((1, 2)), a_star


def drdrl_loss(
    net: DRDRLNet,
    target_net: DRDRLNet,
    batch,
    sub_support: torch.Tensor,
    full_support: torch.Tensor,
    gamma: float,
    lam: float,
    kind: str = "js",
) -> tuple[torch.Tensor, dict[str, float]]:
    r""":math:`L = -\sum_m [\Phi \hat T Z]_m \log F(s,a)_m - \lambda J`; ``batch`` from :class:`paperlab.rl.replay.ReplayBuffer`.

    Next action :math:`a' = \arg\max_a Q_{target}(s', a)`; bootstrap stops only at ``terminated``.
    Logs ``ce``, ``disent``, ``astar_agree`` (fraction of samples whose channels pick one action) and ``edge_mass``.
    """
    B = batch.obs.shape[0]
    idx = torch.arange(B)
    with torch.no_grad():
        f_next = target_net.full_probs(batch.next_obs)  # [B, A, M]
        a_next = (f_next @ full_support).argmax(-1)
        g = batch.gamma_n if batch.gamma_n is not None else gamma
        target = categorical_target(
            f_next[idx, a_next], batch.reward.float(), batch.terminated, g, full_support
        )
    p = net(batch.obs)  # [B, N, A, K]
    f = convolve_categoricals(p)  # [B, A, M]
    ce = -(target * f[idx, batch.action.long()].clamp_min(EPS).log()).sum(-1)
    loss = ce.mean()
    logs = {"ce": float(ce.detach().mean())}
    if net.n_channels > 1:
        sub_q = (p * sub_support[None, :, None, :]).sum(-1)
        j, a_star = disentanglement(f, sub_q, kind)
        loss = loss - lam * j.mean()
        logs["disent"] = float(j.detach().mean())
        logs["lam_disent"] = lam * logs["disent"]
        logs["astar_agree"] = float((a_star == a_star[:, :1]).all(1).float().mean())
    logs["edge_mass"] = float((target[:, 0] + target[:, -1]).mean())
    return loss, logs
