"""Drawn diagrams of the SW26010 chip and the TaihuLight network (matplotlib only, deterministic)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, Rectangle

from paperlab.sunway.arch import SW26010, TaihuLightNet


def _box(ax, x, y, w, h, text="", fc="#dde6f0", ec="#345", fs=8, **kw):
    ax.add_patch(
        FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.01,rounding_size=0.05", fc=fc, ec=ec, lw=1, **kw)
    )
    if text:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fs)


def draw_chip(spec: SW26010 | None = None):
    """Figure: 4 core groups (MPE, 8x8 CPE mesh with LDM, DMA engine, memory controller), the network on
    chip and the system interface; one CPE mesh shows its row and column register buses."""
    spec = spec or SW26010()
    fig, ax = plt.subplots(figsize=(9, 6))
    ax.set(xlim=(0, 20), ylim=(0, 13.5), title="SW26010: 4 core groups on a network on chip")
    ax.axis("off")
    rows, cols = spec.mesh
    for g, (x0, y0) in enumerate(((0.3, 7.2), (10.3, 7.2), (0.3, 0.6), (10.3, 0.6))):
        ax.add_patch(Rectangle((x0, y0), 9.4, 5.8, fc="#f7f7f2", ec="#555", lw=1.2))
        ax.text(x0 + 0.15, y0 + 5.55, f"core group {g}", fontsize=9, weight="bold", va="center")
        _box(ax, x0 + 0.3, y0 + 3.9, 1.9, 1.2, "MPE\n23.2 GF\nL1/L2 cache", fc="#f6d8c8", fs=7)
        _box(ax, x0 + 0.3, y0 + 2.3, 1.9, 1.2, "DMA\nengine", fc="#cfe8cf", fs=8)
        _box(
            ax,
            x0 + 0.3,
            y0 + 0.3,
            1.9,
            1.6,
            f"memory\ncontroller\n8 GB DDR3\n{spec.dram_peak_cg / 1e9:.1f} GB/s",
            fc="#e8e0f4",
            fs=7,
        )
        mx, my, cell = x0 + 2.8, y0 + 0.3, 0.62
        for r in range(rows):
            for c in range(cols):
                ax.add_patch(
                    Rectangle(
                        (mx + c * cell, my + (rows - 1 - r) * cell),
                        cell * 0.8,
                        cell * 0.8,
                        fc="#dde6f0",
                        ec="#345",
                        lw=0.6,
                    )
                )
        ax.text(
            mx + cols * cell / 2,
            y0 + 5.55,
            f"{rows}x{cols} CPEs, {spec.ldm_bytes // 1024} KB LDM each",
            fontsize=8,
            ha="center",
            va="center",
        )
        if g == 0:  # register buses of row 2 and column 5
            yr = my + (rows - 1 - 2) * cell + cell * 0.4
            ax.plot([mx, mx + cols * cell], [yr, yr], color="#c33", lw=2, label="row bus (putr/getr)")
            xc = mx + 5 * cell + cell * 0.4
            ax.plot([xc, xc], [my, my + rows * cell], color="#36c", lw=2, label="column bus (putc/getc)")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8)
    _box(
        ax,
        4.0,
        6.5,
        12.0,
        0.6,
        "network on chip + system interface (SI) to the TaihuLight network",
        fc="#fff3b0",
        fs=8,
    )
    return fig


def draw_network(net: TaihuLightNet | None = None, n_supernodes: int = 4):
    """Figure: ``n_supernodes`` supernodes of 256 nodes behind full-bandwidth switches, joined by an
    over-subscribed central network (one cabinet = 4 supernodes = 1,024 nodes)."""
    net = net or TaihuLightNet()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.set(
        xlim=(0, 4 * n_supernodes),
        ylim=(0, 6.5),
        title=f"TaihuLight model: {n_supernodes} supernodes x {net.nodes_per_supernode} nodes",
    )
    ax.axis("off")
    _box(
        ax,
        0.5,
        5.2,
        4 * n_supernodes - 1,
        0.9,
        f"central switching network (over-subscribed {net.oversub:g}:1)",
        fc="#fff3b0",
        fs=9,
    )
    for s in range(n_supernodes):
        x = 4 * s + 0.4
        _box(ax, x, 3.2, 3.2, 0.8, f"supernode {s} switch\n(full bandwidth)", fc="#cfe8cf", fs=7)
        ax.plot([x + 1.6, x + 1.6], [4.0, 5.2], color="#555", lw=2)
        for k in range(8):
            ax.add_patch(Rectangle((x + 0.05 + k * 0.4, 1.3), 0.32, 0.9, fc="#dde6f0", ec="#345", lw=0.6))
            ax.plot([x + 0.21 + k * 0.4] * 2, [2.2, 3.2], color="#999", lw=0.6)
        first = s * net.nodes_per_supernode
        ax.text(
            x + 1.6, 0.9, f"nodes {first}..{first + net.nodes_per_supernode - 1}", ha="center", fontsize=8
        )
    ax.text(
        0.4,
        0.25,
        f"alpha = {net.alpha * 1e6:g} us, beta = {net.beta / 1e9:g} GB/s per link; "
        f"a flow leaving a supernode gets min(beta, S beta / (oversub f))",
        fontsize=8,
    )
    return fig
