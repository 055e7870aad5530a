"""Meta-paths, their instances and their endpoint edges.

A meta-path is written in PyG's message direction: ``hops[0]`` starts at the neighbour's type and
``hops[-1]`` ends at the target's type, so it can be passed to ``T.AddMetaPaths`` unchanged and its
endpoint edges come out as ``(neighbour -> target)``. An *instance* is read the other way, from the
target back to the neighbour: ``node_ids[0]`` is the target, ``node_ids[l]`` the neighbour, and
``edge_ids[k]`` is the edge (of hop ``l - 1 - k``) that joins ``node_ids[k]`` and ``node_ids[k+1]``.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData
from torch_geometric.utils import coalesce

EdgeType = tuple[str, str, str]


@dataclass(frozen=True)
class MetaPath:
    """A named chain of edge types, neighbour type first, target type last."""

    name: str
    hops: tuple[EdgeType, ...]

    def __post_init__(self) -> None:
        hops = tuple(tuple(h) for h in self.hops)
        object.__setattr__(self, "hops", hops)
        if not hops:
            raise ValueError(f"meta-path {self.name!r}: hops must not be empty")
        for k, h in enumerate(hops):
            if len(h) != 3 or not all(isinstance(t, str) for t in h):
                raise ValueError(f"meta-path {self.name!r}: hop {k} must be (src, rel, dst), got {h!r}")
        for k in range(len(hops) - 1):
            if hops[k][2] != hops[k + 1][0]:
                raise ValueError(
                    f"meta-path {self.name!r}: hop {k + 1} {hops[k + 1]!r} does not start at the type "
                    f"{hops[k][2]!r} where hop {k} ends"
                )

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def target_type(self) -> str:
        return self.hops[-1][2]

    def node_types(self) -> list[str]:
        """Types of ``node_ids[0..l]`` (target first)."""
        return [self.hops[-1][2]] + [h[0] for h in reversed(self.hops)]

    def edge_types(self) -> list[EdgeType]:
        """Edge type of ``edge_ids[k]`` (target side first)."""
        return list(reversed(self.hops))


C = "company"
BANK_METAPATHS: tuple[MetaPath, ...] = (
    MetaPath("P", ((C, "has_rep", "person"), ("person", "rep_of", C))),  # same legal representative
    MetaPath("G->", ((C, "guaranteed_by", C),)),  # neighbours are the target's borrowers
    MetaPath("G<-", ((C, "guarantees", C),)),  # neighbours are the target's guarantors
    MetaPath("T<-", ((C, "buys_from", C),)),  # neighbours are the target's customers
    MetaPath("T->", ((C, "sells_to", C),)),  # neighbours are the target's suppliers
    MetaPath("A", ((C, "located_at", "address"), ("address", "hosts", C))),  # shared address
)


@dataclass
class Instances:
    """Instances of one meta-path: ``node_ids`` [l+1, I], ``edge_ids`` [l, I], ``target`` [I]."""

    node_ids: torch.Tensor
    edge_ids: torch.Tensor

    @property
    def target(self) -> torch.Tensor:
        return self.node_ids[0]

    @property
    def num(self) -> int:
        return int(self.node_ids.size(1))


def _check_graph(data: HeteroData, mp: MetaPath) -> None:
    if not isinstance(data, HeteroData):
        raise TypeError(f"data must be a torch_geometric HeteroData, got {type(data).__name__}")
    if not isinstance(mp, MetaPath):
        raise TypeError(f"mp must be a MetaPath, got {type(mp).__name__}")
    for t in mp.node_types():
        if t not in data.node_types:
            raise ValueError(f"meta-path {mp.name!r}: node type {t!r} is missing from data")
    for h in mp.hops:
        if h not in data.edge_types:
            raise ValueError(f"meta-path {mp.name!r}: edge type {h!r} is missing from data")


def enumerate_instances(
    data: HeteroData,
    mp: MetaPath,
    max_per_target: int | None = None,
    seed: int = 0,
    exclude_self: bool = True,
) -> Instances:
    """All instances of ``mp`` (walked from each target back to its neighbours), optionally capped.

    Args:
        data: the heterogeneous graph.
        mp: the meta-path.
        max_per_target: keep at most K instances per target, sampled uniformly with ``seed``
            (``None`` keeps all). K must be >= 1.
        exclude_self: drop instances whose neighbour is the target itself.

    Returns:
        Instances sorted by target, then by the walk order.
    """
    _check_graph(data, mp)
    if max_per_target is not None and (not isinstance(max_per_target, int) or max_per_target < 1):
        raise ValueError(f"max_per_target must be an int >= 1 or None, got {max_per_target!r}")
    n_target = data[mp.target_type].num_nodes
    nodes = [np.arange(n_target)]
    edges: list[np.ndarray] = []
    for et in mp.edge_types():
        src, dst = data[et].edge_index.numpy()
        order = np.argsort(dst, kind="stable")  # CSR over dst: walk edges into the current node
        n_dst = data[et[2]].num_nodes
        ptr = np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n_dst))])
        cur = nodes[-1]
        deg = ptr[cur + 1] - ptr[cur]
        rep = np.repeat(np.arange(cur.size), deg)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(deg) - deg, deg)
        eid = order[ptr[cur][rep] + offs]
        nodes = [a[rep] for a in nodes] + [src[eid]]
        edges = [a[rep] for a in edges] + [eid]
    node_ids, edge_ids = np.vstack(nodes), np.vstack(edges) if edges else np.zeros((0, nodes[0].size), int)
    if exclude_self and mp.node_types()[-1] == mp.target_type:
        keep = node_ids[-1] != node_ids[0]
        node_ids, edge_ids = node_ids[:, keep], edge_ids[:, keep]
    if max_per_target is not None and node_ids.shape[1] > 0:
        key = np.random.default_rng(seed).random(node_ids.shape[1])
        order = np.lexsort((key, node_ids[0]))
        t = node_ids[0][order]
        first = np.searchsorted(t, t, side="left")
        rank = np.arange(t.size) - first
        keep = np.sort(order[rank < max_per_target])
        node_ids, edge_ids = node_ids[:, keep], edge_ids[:, keep]
    return Instances(torch.as_tensor(node_ids, dtype=torch.long), torch.as_tensor(edge_ids, dtype=torch.long))


def to_metapath_edges(
    data: HeteroData, mps, max_sample: int | None = None, exclude_self: bool = True
) -> dict:
    """Endpoint edges ``neighbour -> target`` for each meta-path, via ``T.AddMetaPaths``.

    Returns ``{mp.name: edge_index [2, E]}`` (coalesced pairs; intermediate nodes and link
    attributes are discarded, which is what HAN sees). Self pairs are removed when
    ``exclude_self`` so that the pairs equal those of :func:`enumerate_instances`.
    """
    mps = list(mps)
    if not mps:
        raise ValueError("mps must hold at least one MetaPath")
    for mp in mps:
        _check_graph(data, mp)
    small = HeteroData()
    for nt in data.node_types:
        small[nt].num_nodes = data[nt].num_nodes
    for et in {h for mp in mps for h in mp.hops}:
        small[et].edge_index = data[et].edge_index
    long = [mp for mp in mps if mp.length >= 2]  # AddMetaPaths needs two hops or more
    out = None
    if long:
        with warnings.catch_warnings():  # torch's "sparse CSR is beta" notes, printed on every call
            warnings.simplefilter("ignore", UserWarning)
            out = T.AddMetaPaths([list(mp.hops) for mp in long], max_sample=max_sample)(copy.copy(small))
    result = {}
    for mp in mps:
        if mp.length == 1:
            ei = coalesce(data[mp.hops[0]].edge_index)
        else:
            ei = out[(mp.hops[0][0], f"metapath_{long.index(mp)}", mp.target_type)].edge_index
        if exclude_self and mp.hops[0][0] == mp.target_type:
            ei = ei[:, ei[0] != ei[1]]
        result[mp.name] = ei
    return result


def metapath_stats(data: HeteroData, mps, y: torch.Tensor | None = None) -> list[dict]:
    """Per meta-path: instances and neighbours per target, label homophily and default-rate lift.

    ``homophily`` is the fraction of (target, neighbour) pairs with equal labels; ``lift`` is the
    default rate of targets that have at least one defaulted neighbour divided by the base rate.
    """
    y = data["company"].y if y is None else y
    yn = y.numpy().astype(bool)
    rows = []
    for mp in mps:
        inst = enumerate_instances(data, mp)
        pairs = to_metapath_edges(data, [mp])[mp.name].numpy()
        nb, tg = pairs
        n = data[mp.target_type].num_nodes
        bad_nb = np.zeros(n, bool)
        bad_nb[tg[yn[nb]]] = True
        rows.append(
            {
                "meta-path": mp.name,
                "instances/target": round(inst.num / n, 2),
                "pairs/target": round(pairs.shape[1] / n, 2),
                "homophily": round(float((yn[nb] == yn[tg]).mean()) if nb.size else float("nan"), 3),
                "lift": round(float(yn[bad_nb].mean() / yn.mean()) if bad_nb.any() else float("nan"), 2),
            }
        )
    return rows
