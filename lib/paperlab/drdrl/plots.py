"""Figures of the series; the explorer widgets call these (their logic is unit-tested)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from paperlab.drdrl.explore import bernoulli_sum, fit_split


def split_figure(
    p_coin: float,
    p_gem: float,
    n_atoms_sub: int,
    deterministic: bool,
    inits: int = 3,
    steps: int = 200,
    seed: int = 0,
):
    """Target = coin Bernoulli(p_coin)*1 + gem Bernoulli(p_gem)*2 (or their sure payout) and the fitted splits.

    Returns ``(fig, FitResult)``: panel 0 the target on atoms 0..2(K-1), then one panel per init with both channels.
    """
    if n_atoms_sub < 3:
        raise ValueError(f"n_atoms_sub must be >= 3 (the gem pays 2), got {n_atoms_sub}")
    probs = (1.0, 1.0) if deterministic else (p_coin, p_gem)
    target = bernoulli_sum(probs, (1, 2), 2 * (n_atoms_sub - 1) + 1)
    fit = fit_split(target, 2, n_atoms_sub, inits=inits, steps=steps, seed=seed)
    fig, axes = plt.subplots(1, inits + 1, figsize=(2.6 * (inits + 1), 2.4), sharey=True)
    axes[0].bar(np.arange(len(target)), target, color="0.3")
    axes[0].set_title("target full distribution")
    k = np.arange(n_atoms_sub)
    for j, ax in enumerate(axes[1:]):
        ax.bar(k - 0.2, fit.sub_probs[j, 0], width=0.4, label="channel 1")
        ax.bar(k + 0.2, fit.sub_probs[j, 1], width=0.4, label="channel 2")
        ax.set_title(f"init {j}: KL {fit.losses[j]:.3f}")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig, fit


@torch.no_grad()
def state_figure(agent, env, row: int, col: int, action: int):
    """Sub-distributions and the full distribution of ``agent`` at grid cell (row, col), no item consumed, ``action``.

    Returns ``(fig, sub_probs [N, K], full_probs [M])``.
    """
    base = env.unwrapped
    if not (0 <= row < 5 and 0 <= col < 5) or not 0 <= action < 4:
        raise ValueError(f"row, col must be in 0..4 and action in 0..3, got {row}, {col}, {action}")
    obs = torch.as_tensor(base.encode((row, col), np.zeros(base.n_channels, bool)))[None]
    sub = agent.policy_net(obs)[0, :, action].numpy()
    full = agent.policy_net.full_probs(obs)[0, action].numpy()
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.6))
    for i in range(sub.shape[0]):
        axes[0].plot(agent.sub_support[i].numpy(), sub[i], marker=".", label=f"channel {i}")
    axes[0].set_title("sub-distributions $p_i(s,a)$")
    axes[0].legend(fontsize=7)
    axes[1].bar(
        agent.full_support.numpy(),
        full,
        width=float(agent.full_support[1] - agent.full_support[0]),
        color="0.3",
    )
    axes[1].set_title("full distribution $p_1 * p_2 * \\dots$")
    fig.tight_layout()
    return fig, sub, full
