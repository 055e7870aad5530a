"""Logic behind the series' widgets and drawings (unit-tested; widget cells only wire sliders)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from paperlab.hidam.generator import BankHINConfig, generate_bank_hin
from paperlab.hidam.metapaths import BANK_METAPATHS, metapath_stats


def lift_table(
    gamma_G: float = 2.0,
    gamma_T: float = 1.5,
    gamma_P: float = 1.0,
    person_signal: float = 40.0,
    null: bool = False,
    content: bool = True,
    n_companies: int = 600,
    seed: int = 0,
) -> tuple[list[dict], float]:
    """Generate a world with these knobs; return (per meta-path stats rows, default rate)."""
    cfg = BankHINConfig(
        n_companies=n_companies,
        gamma_G=gamma_G,
        gamma_T=gamma_T,
        gamma_P=gamma_P,
        person_signal=person_signal,
        null=null,
        content=content,
        seed=seed,
    )
    data, _ = generate_bank_hin(cfg)
    return metapath_stats(data, BANK_METAPATHS), float(data["company"].y.mean())


def company_view(prep, att, company: int) -> list[dict]:
    """One row per meta-path instance of ``company``: meta-path, neighbour (and its label), the node
    in the middle for 2-hop paths, instance weight beta (mean over heads), the largest content weight
    and its item index, and the meta-path weight gamma."""
    n = prep.data[prep.metapaths[0].target_type].num_nodes
    if not 0 <= company < n:
        raise ValueError(f"company must be in [0, {n}), got {company!r}")
    y = prep.y
    gamma = att.gamma if att.gamma.dim() == 1 else att.gamma[company]
    rows = []
    for j, mp in enumerate(prep.metapaths):
        inst = prep.instances[mp.name]
        sel = (inst.target == company).nonzero().flatten()
        beta = att.beta[mp.name].mean(-1)
        alpha = att.alpha[mp.name]
        for i in sel.tolist():
            nb = int(inst.node_ids[-1, i])
            a = alpha[i]
            rows.append(
                {
                    "meta-path": mp.name,
                    "neighbour": nb,
                    "via": f"{mp.node_types()[1]} {int(inst.node_ids[1, i])}" if mp.length > 1 else "-",
                    "defaulted": int(y[nb]),
                    "beta": round(float(beta[i]), 3),
                    "top item": int(a.argmax()),
                    "alpha max": round(float(a.max()), 3),
                    "gamma": round(float(gamma[j]), 3),
                }
            )
    return rows


def plot_company(prep, att, company: int, ax=None):
    """Bars of each instance's ``gamma_Phi * beta`` for one company, grouped by meta-path."""
    rows = company_view(prep, att, company)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    names = [mp.name for mp in prep.metapaths]
    colours = plt.get_cmap("tab10")
    x = np.arange(len(rows))
    w = [r["gamma"] * r["beta"] for r in rows]
    ax.bar(x, w, color=[colours(names.index(r["meta-path"])) for r in rows])
    ax.set_xticks(
        x,
        [f"{r['meta-path']}:{r['neighbour']}{'*' if r['defaulted'] else ''}" for r in rows],
        rotation=90,
        fontsize=7,
    )
    ax.set_ylabel("gamma * beta")
    ax.set_title(f"company {company} (label {int(prep.y[company])}); * = neighbour defaulted")
    return ax


def draw_toy(data, ax=None, seed: int = 0):
    """Draw a small bank HIN: companies (red if defaulted), persons, addresses and the C-C links."""
    g = nx.Graph()
    colour = {"company": "tab:blue", "person": "tab:green", "address": "tab:gray"}
    y = data["company"].y.numpy()
    for t in ("company", "person", "address"):
        for i in range(data[t].num_nodes):
            g.add_node((t, i))
    styles = {}
    for et, style in [
        (("company", "has_rep", "person"), "dotted"),
        (("company", "located_at", "address"), "dotted"),
        (("company", "guarantees", "company"), "solid"),
        (("company", "buys_from", "company"), "dashed"),
    ]:
        for s, d in data[et].edge_index.T.tolist():
            g.add_edge((et[0], s), (et[2], d))
            styles[((et[0], s), (et[2], d))] = style
    g.remove_nodes_from([v for v in list(g.nodes) if g.degree(v) == 0 and v[0] != "company"])
    pos = nx.spring_layout(g, seed=seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    for style in ("dotted", "solid", "dashed"):
        edges = [e for e, s in styles.items() if s == style and e[0] in g and e[1] in g]
        nx.draw_networkx_edges(g, pos, edgelist=edges, style=style, ax=ax, alpha=0.6)
    for t in ("company", "person", "address"):
        nodes = [v for v in g.nodes if v[0] == t]
        cols = ["tab:red" if t == "company" and y[v[1]] else colour[t] for v in nodes]
        nx.draw_networkx_nodes(
            g,
            pos,
            nodelist=nodes,
            node_color=cols,
            node_size=60 if t == "company" else 30,
            node_shape="o" if t == "company" else ("s" if t == "person" else "^"),
            ax=ax,
            label=t,
        )
    ax.legend(loc="upper right")
    ax.set_title("toy bank HIN: solid = guarantee, dashed = transaction, dotted = rep / address")
    ax.axis("off")
    return ax
