"""Learning curves with a band over seeds (style and saving come from ``paperlab.core.viz``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperlab.rl.loop import History
from paperlab.rl.stats import summarize


def plot_curves(
    ax, histories: Sequence[History], label: str, color: str | None = None, key: str | None = None
):
    """Plot the mean over seeds of the greedy evaluation return (or of ``logs[key]``) with a ± std band."""
    if not histories:
        raise ValueError("histories must not be empty")
    steps = np.asarray(histories[0].eval_steps)
    curves = np.stack(
        [h.eval_mean if key is None else np.asarray(h.logs[key], dtype=float) for h in histories]
    )
    mean, lo, hi = summarize(curves)
    (line,) = ax.plot(steps, mean, label=f"{label} (n={len(histories)})", color=color)
    ax.fill_between(steps, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    return line


def heatmap_over_grid(ax, values: np.ndarray, shape: tuple[int, int], title: str = "", fmt_digits: int = 2):
    """Show per-cell ``values`` (length ``rows*cols``; NaN = unknown) as an annotated heatmap."""
    v = np.asarray(values, dtype=float).reshape(shape)
    im = ax.imshow(v, cmap="viridis")
    for (r, c), x in np.ndenumerate(v):
        if np.isfinite(x):
            ax.text(c, r, f"{x:.{fmt_digits}f}", ha="center", va="center", fontsize=6, color="w")
    ax.set(title=title, xticks=[], yticks=[])
    return im


def plot_profile(ax, scores, taus, label: str, rng: np.random.Generator, color: str | None = None, reps: int = 2000):
    """Performance profile (fraction of runs with score > tau) with its stratified bootstrap 95 % band."""
    from paperlab.rl.aggregate import profile_bands

    prof, lo, hi = profile_bands(scores, taus, rng, reps)
    (line,) = ax.plot(taus, prof, label=label, color=color, drawstyle="steps-post")
    ax.fill_between(taus, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0, step="post")
    return line
