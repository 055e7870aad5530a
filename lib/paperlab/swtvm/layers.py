"""The conv and FC layers of AlexNet (one-tower variant, no groups) and VGG-19 as compiler operators.

Shapes come from ``paperlab.sunway.models``. Inference batch 1 by default (the batch of swTVM's v1
evaluation is not known: [M]); FC layers take a ``batch``. Full-size layers are only costed analytically.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.compiler import ops
from paperlab.sunway import models

__all__ = ["LayerOp", "alexnet_layers", "vgg19_layers", "network_layers"]

NETWORKS = {"AlexNet": "alexnet_one_tower", "VGG-19": "vgg19"}


@dataclass(frozen=True)
class LayerOp:
    net: str
    name: str
    type: str  # "conv" or "fc"
    op: ops.Op


def network_layers(net: str, batch: int = 1) -> list[LayerOp]:
    """Conv and FC layers of ``net`` ("AlexNet" or "VGG-19") as :class:`LayerOp`."""
    if net not in NETWORKS:
        raise ValueError(f"net must be one of {sorted(NETWORKS)}, got {net!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch <= 0:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    out = []
    for ly in models.get(NETWORKS[net]):
        if ly.type == "conv":
            C, H, W = ly.in_shape
            op = ops.conv2d(C, H, W, ly.out_shape[0], ly.kernel, stride=ly.stride, pad=ly.pad, name="Y")
        elif ly.type == "fc":
            op = ops.dense(batch, ly.in_elems, ly.out_shape[0], name="Y")
        else:
            continue
        out.append(LayerOp(net, ly.name, ly.type, op))
    return out


def alexnet_layers(batch: int = 1) -> list[LayerOp]:
    """AlexNet (one tower): conv1-conv5, fc6-fc8."""
    return network_layers("AlexNet", batch)


def vgg19_layers(batch: int = 1) -> list[LayerOp]:
    """VGG-19: 16 conv + 3 FC layers."""
    return network_layers("VGG-19", batch)
