"""Drawn diagrams of swCaffe's direct convolution (matplotlib only, deterministic).

- :func:`draw_summa`: one SUMMA step of the mesh convolution ``O(r, c) += W(r, t) I(t, c)``: CPE (r, t) row-broadcasts
  its weight block, CPE (t, c) column-broadcasts its input block, every CPE accumulates its output block.
- :func:`draw_layouts`: the same small tensor laid out as Caffe's NCHW and as swCaffe's (R, C, N, B), memory order
  left to right, and the contiguous run one CPE's DMA reads in each.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

__all__ = ["draw_layouts", "draw_summa", "layout_order"]


def _check_int(name: str, v, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an int in {lo}..{hi}, got {v!r}")
    return v


def draw_summa(step: int = 2, mesh: int = 8):
    """Figure: SUMMA step ``step`` on a ``mesh x mesh`` CPE grid (W blocks along rows, I blocks down columns)."""
    mesh = _check_int("mesh", mesh, 2, 16)
    step = _check_int("step", step, 0, mesh - 1)
    fig, ax = plt.subplots(figsize=(6.2, 6.2))
    ax.set(xlim=(-0.6, mesh + 0.2), ylim=(-1.4, mesh + 0.9), aspect="equal")
    ax.axis("off")
    ax.set_title(f"SUMMA step t = {step}: O(r, c) += W(r, {step}) · I({step}, c)", fontsize=10)
    for r in range(mesh):
        for c in range(mesh):
            y = mesh - 1 - r
            fc = "#f4f4f4"
            if c == step and r == step:
                fc = "#c9b3e6"
            elif c == step:
                fc = "#f6c9a8"  # sends its W block along its row
            elif r == step:
                fc = "#a9d6b8"  # sends its I block down its column
            ax.add_patch(Rectangle((c, y), 0.9, 0.9, fc=fc, ec="#555", lw=0.8))
            ax.text(c + 0.45, y + 0.45, f"{r},{c}", ha="center", va="center", fontsize=6)
    r_ex, c_ex = (step + 2) % mesh, (step + 3) % mesh  # one row and one column drawn; the others alike
    y = mesh - 1 - r_ex + 0.2
    for x1 in (-0.3, mesh - 0.1):
        if abs(x1 - (step + 0.45)) > 0.5:
            ax.add_patch(
                FancyArrowPatch(
                    (step + 0.45, y), (x1, y), arrowstyle="-|>", mutation_scale=9, color="#c0602a", lw=1.4
                )
            )
    x = c_ex + 0.2
    y_src = mesh - 1 - step + 0.45
    for y1 in (-0.2, mesh - 0.05):
        if abs(y1 - y_src) > 0.5:
            ax.add_patch(
                FancyArrowPatch(
                    (x, y_src), (x, y1), arrowstyle="-|>", mutation_scale=9, color="#2f8a4f", lw=1.4
                )
            )
    ax.text(
        -0.5,
        -0.45,
        "orange: CPE (r, t) row-broadcasts W(r, t) (putr); green: CPE (t, c)",
        fontsize=7,
        va="top",
    )
    ax.text(
        -0.5, -0.8, "column-broadcasts I(t, c) (putc); one row and one column drawn.", fontsize=7, va="top"
    )
    ax.text(
        -0.5,
        -1.15,
        "CPE (r, c) accumulates O(r, c) in LDM; no transfer leaves a row or column.",
        fontsize=7,
        va="top",
    )
    return fig


def layout_order(layout: str, B: int, C: int, H: int, W: int) -> list[tuple[int, int, int, int]]:
    """``(b, c, h, w)`` of each element in memory order: ``"NCHW"`` (Caffe) or ``"RCNB"`` (swCaffe: row, column,
    channel, batch innermost)."""
    if layout == "NCHW":
        return [(b, c, h, w) for b in range(B) for c in range(C) for h in range(H) for w in range(W)]
    if layout == "RCNB":
        return [(b, c, h, w) for h in range(H) for w in range(W) for c in range(C) for b in range(B)]
    raise ValueError(f"layout must be 'NCHW' or 'RCNB', got {layout!r}")


def draw_layouts(B: int = 4, C: int = 2, H: int = 2, W: int = 3):
    """Figure: memory order of a ``B x C x H x W`` tensor in NCHW and in (R, C, N, B), coloured by image.

    In NCHW the contiguous runs are image rows (``W`` elements of one image); in (R, C, N, B) they are the batch
    (``B`` images of one pixel and channel), which is what a CPE's DMA block holds in the mesh convolution.
    """
    for name, v in (("B", B), ("C", C), ("H", H), ("W", W)):
        _check_int(name, v, 1, 8)
    n = B * C * H * W
    colors = plt.get_cmap("tab10")
    fig, axes = plt.subplots(2, 1, figsize=(max(6.0, 0.28 * n + 1), 3.4))
    for ax, layout, run, what in (
        (axes[0], "NCHW", W, f"Caffe NCHW: contiguous run = one image row ({W} elements)"),
        (
            axes[1],
            "RCNB",
            B,
            f"swCaffe (R, C, N, B): contiguous run = the batch of one pixel/channel ({B} images)",
        ),
    ):
        order = layout_order(layout, B, C, H, W)
        ax.set(xlim=(-0.2, n + 0.2), ylim=(-0.9, 1.6))
        ax.axis("off")
        ax.set_title(what, fontsize=8, loc="left")
        for i, (b, c, h, w) in enumerate(order):
            ax.add_patch(
                Rectangle((i, 0), 0.95, 1, fc=colors(b % 10), ec="white", alpha=0.55 + 0.45 * (c % 2))
            )
            ax.text(i + 0.47, 0.5, f"{c}{h}{w}", ha="center", va="center", fontsize=5)
        for j, k in enumerate(range(0, n, run)):
            ax.plot([k + 0.1, k + run - 0.15], [-0.25, -0.25], color="#333" if j % 2 else "#999", lw=2.5)
        ax.text(0, -0.65, "memory order ->  (colour: image b; label: channel, row, column)", fontsize=6)
    fig.tight_layout()
    return fig
