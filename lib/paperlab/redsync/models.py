"""The small models trained data-parallel: FC-heavy MLPs (like AlexNet/VGG's big FC layers)."""

from __future__ import annotations

from torch import nn


def mlp(sizes: tuple[int, ...] | list[int]) -> nn.Sequential:
    """Linear layers ``sizes[0] -> ... -> sizes[-1]`` with ReLU between (logits out)."""
    if len(sizes) < 2 or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"sizes must hold at least two positive ints, got {sizes!r}")
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def num_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
