"""Q-network builders for vector observations (an MLP) and grid observations (MinAtar/Nature convnets)."""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import torch
from torch import nn


def mlp(
    in_dim: int, out_dim: int, hidden: Sequence[int] = (64, 64), act: type[nn.Module] = nn.ReLU
) -> nn.Sequential:
    """``Linear -> act -> ... -> Linear``: maps ``[B, in_dim]`` to ``[B, out_dim]``."""
    if in_dim < 1 or out_dim < 1:
        raise ValueError(f"in_dim and out_dim must be positive, got {in_dim}, {out_dim}")
    dims = [int(in_dim), *map(int, hidden)]
    layers: list[nn.Module] = []
    for a, b in zip(dims[:-1], dims[1:], strict=True):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(dims[-1], int(out_dim)))
    return nn.Sequential(*layers)


class ChannelsLast(nn.Module):
    """Permute ``[B, H, W, C]`` observations (gymnasium/MinAtar layout) to torch's ``[B, C, H, W]``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 3, 1, 2)


def minatar_torso(in_channels: int, hw: tuple[int, int] = (10, 10)) -> nn.Sequential:
    """MinAtar's DQN torso (Young & Tian 2019): conv 16 filters 3x3 stride 1 -> ReLU -> fc 128 -> ReLU.

    Input ``[B, H, W, C]`` channels-last; output ``[B, 128]``.
    """
    h, w = hw
    return nn.Sequential(
        ChannelsLast(),
        nn.Conv2d(in_channels, 16, kernel_size=3, stride=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(16 * (h - 2) * (w - 2), 128),
        nn.ReLU(),
    )


def nature_torso(in_channels: int) -> nn.Sequential:
    """Nature-DQN torso (Mnih et al. 2015) on ``[B, 84, 84, C]`` channels-last frames in [0, 1]; output ``[B, 512]``."""
    return nn.Sequential(
        ChannelsLast(),
        nn.Conv2d(in_channels, 32, 8, stride=4),
        nn.ReLU(),
        nn.Conv2d(32, 64, 4, stride=2),
        nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 512),
        nn.ReLU(),
    )


def build_q_network(
    obs_space: gym.Space, action_space: gym.Space, torso: str = "auto", hidden: Sequence[int] = (64, 64)
) -> nn.Module:
    """A Q-network ``[B, *obs_shape] -> [B, n_actions]`` for a Box observation and a Discrete action space.

    ``torso="auto"`` picks an MLP for 1-D observations, the MinAtar torso for small ``(H, W, C)`` grids and
    the Nature torso for 84x84 frames; ``"mlp"``, ``"minatar"`` and ``"nature"`` force a choice.
    """
    if not isinstance(action_space, gym.spaces.Discrete):
        raise TypeError(f"action_space must be Discrete, got {type(action_space).__name__}")
    if not isinstance(obs_space, gym.spaces.Box):
        raise TypeError(
            f"obs_space must be a Box (wrap Discrete observations with OneHotObs), got {type(obs_space).__name__}"
        )
    shape, n = obs_space.shape, int(action_space.n)
    if torso == "auto":
        torso = "mlp" if len(shape) == 1 else ("nature" if shape[:2] == (84, 84) else "minatar")
    if torso == "mlp":
        if len(shape) != 1:
            raise ValueError(f"torso 'mlp' needs 1-D observations, got shape {shape}")
        return mlp(shape[0], n, hidden)
    if len(shape) != 3:
        raise ValueError(f"torso {torso!r} needs (H, W, C) observations, got shape {shape}")
    if torso == "minatar":
        return nn.Sequential(minatar_torso(shape[2], shape[:2]), nn.Linear(128, n))
    if torso == "nature":
        return nn.Sequential(nature_torso(shape[2]), nn.Linear(512, n))
    raise ValueError(f"torso must be 'auto', 'mlp', 'minatar' or 'nature', got {torso!r}")
