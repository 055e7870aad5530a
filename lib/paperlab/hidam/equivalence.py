"""The HANConv special case of HIDAM (brief section 2.6), used by a unit test and notebook 02.

HIDAM with endpoint-only content, linear type projections, ``W_Phi = I``, ReLU, empty targets at
zero, global semantic attention and no link attributes computes exactly what ``HANConv`` computes
on the meta-path endpoint edges when every (target, neighbour) pair has one instance.
"""

from __future__ import annotations

import torch
from torch_geometric.nn import HANConv

from paperlab.hidam.metapaths import MetaPath
from paperlab.hidam.model import HIDAM


def han_special_case(node_dims: dict, metapaths: list[MetaPath], d: int, heads: int = 1) -> HIDAM:
    """The restricted HIDAM: ``content="endpoint"``, no link attributes, ``W = I``, ReLU, ``empty="zero"``."""
    return HIDAM(
        node_dims,
        {},
        metapaths,
        d=d,
        heads=heads,
        content="endpoint",
        link_attrs=False,
        semantic="global",
        activation="relu",
        node_activation=None,
        empty="zero",
        identity_w=True,
    )


def copy_han_weights(conv: HANConv, model: HIDAM, target: str = "company") -> None:
    """Copy HANConv's projection, attention vectors and semantic weights into ``model`` (edge types of
    ``conv`` must be in ``model.metapaths`` order)."""
    with torch.no_grad():
        model.project.node[target].weight.copy_(conv.proj[target].weight)
        model.project.node[target].bias.copy_(conv.proj[target].bias)
        for mp, et in zip(model.metapaths, conv.metadata[1], strict=True):
            key = "__".join(et)
            model.inst_att[mp.name].a_src.copy_(conv.lin_src[key])
            model.inst_att[mp.name].a_dst.copy_(conv.lin_dst[key])
        model.semantic.k_lin.load_state_dict(conv.k_lin.state_dict())
        model.semantic.q.copy_(conv.q)
