"""Company splits: stratified (transductive) and by business group (inductive)."""

from __future__ import annotations

import numpy as np


def _fracs(fracs) -> tuple[float, float, float]:
    fracs = tuple(float(f) for f in fracs)
    if len(fracs) != 3 or min(fracs) <= 0 or abs(sum(fracs) - 1.0) > 1e-9:
        raise ValueError(f"fracs must be three positive numbers summing to 1, got {fracs!r}")
    return fracs


def stratified_split(y, fracs=(0.6, 0.2, 0.2), seed: int = 0) -> dict[str, np.ndarray]:
    """``{"train","val","test": sorted index arrays}``, each with the label mix of ``y``."""
    y = np.asarray(y).astype(int).ravel()
    fracs = _fracs(fracs)
    rng = np.random.default_rng(seed)
    parts: dict[str, list] = {"train": [], "val": [], "test": []}
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        a = int(round(fracs[0] * idx.size))
        b = a + int(round(fracs[1] * idx.size))
        for name, sl in zip(parts, (idx[:a], idx[a:b], idx[b:]), strict=True):
            parts[name].append(sl)
    return {k: np.sort(np.concatenate(v)) for k, v in parts.items()}


def group_split(group, y, fracs=(0.6, 0.2, 0.2), seed: int = 0) -> dict[str, np.ndarray]:
    """Whole business groups go to one part (groups shuffled, then filled to the fractions)."""
    group = np.asarray(group).ravel()
    if group.size != np.asarray(y).size:
        raise ValueError(f"group and y must have the same length, got {group.size} and {np.asarray(y).size}")
    fracs = _fracs(fracs)
    rng = np.random.default_rng(seed)
    gids = rng.permutation(np.unique(group))
    sizes = np.bincount(group)[gids]
    cum = np.cumsum(sizes) / group.size
    part_of = np.searchsorted([fracs[0], fracs[0] + fracs[1]], cum, side="left")
    lookup = np.empty(group.max() + 1, int)
    lookup[gids] = part_of
    p = lookup[group]
    return {name: np.flatnonzero(p == i) for i, name in enumerate(("train", "val", "test"))}
