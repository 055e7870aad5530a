"""Layer tables of the CNNs the Sunway papers use: shapes, forward FLOPs and parameters per image.

Networks (ImageNet, 1,000 classes): ``alexnet`` (Caffe's, 227x227, groups = 2 in conv2/4/5; ``groups=False``
gives the one-tower variant), ``vgg16``, ``vgg19`` (224x224), ``googlenet`` (Caffe's bvlc_googlenet
without the auxiliary classifiers, 224x224) and ``resnet50`` (224x224, original bottleneck with the stride
in the first 1x1 convolution as in Caffe's prototxt; BN layers carry their scale and shift as 2C params).

Conventions: shapes are ``(C, H, W)`` per image; ``flops`` counts one multiply-add as 2 flops for conv
and fc (no bias adds); element-wise layers count a few flops per output element (documented per type).
Pooling uses ceil mode (Caffe) unless stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LAYER_TYPES = ("conv", "fc", "pool", "relu", "lrn", "bn", "eltwise", "concat", "dropout", "softmax")


@dataclass(frozen=True)
class Layer:
    """One layer. ``in_shape``/``out_shape`` ``(C, H, W)``; ``kernel``/``stride``/``pad``/``groups`` for conv
    and pool; ``flops`` forward flops per image; ``params`` learnable parameters."""

    name: str
    type: str
    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]
    kernel: int = 0
    stride: int = 1
    pad: int = 0
    groups: int = 1
    flops: float = 0.0
    params: int = 0

    @property
    def in_elems(self) -> int:
        return math.prod(self.in_shape)

    @property
    def out_elems(self) -> int:
        return math.prod(self.out_shape)

    @property
    def macs(self) -> float:
        """Multiply-accumulates of conv/fc (``flops / 2``), 0 for other layers."""
        return self.flops / 2 if self.type in ("conv", "fc") else 0.0


class _Builder:
    def __init__(self, shape: tuple[int, int, int]):
        self.shape = shape
        self.layers: list[Layer] = []

    def _add(self, layer: Layer) -> Layer:
        self.layers.append(layer)
        self.shape = layer.out_shape
        return layer

    def conv(self, name, cout, k, s=1, p=0, g=1, bias=True, src=None):
        cin, h, w = src or self.shape
        ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        macs = cout * ho * wo * (cin // g) * k * k
        params = cout * (cin // g) * k * k + (cout if bias else 0)
        return self._add(Layer(name, "conv", (cin, h, w), (cout, ho, wo), k, s, p, g, 2.0 * macs, params))

    def pool(self, name, k, s, p=0, ceil=True, src=None):
        c, h, w = src or self.shape
        rnd = math.ceil if ceil else math.floor
        ho, wo = rnd((h + 2 * p - k) / s) + 1, rnd((w + 2 * p - k) / s) + 1
        return self._add(Layer(name, "pool", (c, h, w), (c, ho, wo), k, s, p, 1, float(c * ho * wo * k * k)))

    def ew(self, name, kind, flops_per_elem, params=0):
        """Element-wise layer: relu (1 flop/elem), lrn (2 * local_size + 3), bn (4), dropout (1)."""
        return self._add(
            Layer(
                name,
                kind,
                self.shape,
                self.shape,
                flops=float(flops_per_elem * math.prod(self.shape)),
                params=params,
            )
        )

    def fc(self, name, out):
        n = math.prod(self.shape)
        return self._add(
            Layer(name, "fc", self.shape, (out, 1, 1), flops=2.0 * n * out, params=n * out + out)
        )


def _alexnet(groups: bool = True) -> list[Layer]:
    g = 2 if groups else 1
    b = _Builder((3, 227, 227))
    b.conv("conv1", 96, 11, 4)
    b.ew("relu1", "relu", 1)
    b.ew("norm1", "lrn", 13)
    b.pool("pool1", 3, 2)
    b.conv("conv2", 256, 5, 1, 2, g)
    b.ew("relu2", "relu", 1)
    b.ew("norm2", "lrn", 13)
    b.pool("pool2", 3, 2)
    b.conv("conv3", 384, 3, 1, 1)
    b.ew("relu3", "relu", 1)
    b.conv("conv4", 384, 3, 1, 1, g)
    b.ew("relu4", "relu", 1)
    b.conv("conv5", 256, 3, 1, 1, g)
    b.ew("relu5", "relu", 1)
    b.pool("pool5", 3, 2)
    for i, n in ((6, 4096), (7, 4096)):
        b.fc(f"fc{i}", n)
        b.ew(f"relu{i}", "relu", 1)
        b.ew(f"drop{i}", "dropout", 1)
    b.fc("fc8", 1000)
    b.ew("prob", "softmax", 3)
    return b.layers


def _vgg(depth: int) -> list[Layer]:
    blocks = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}[depth]
    b = _Builder((3, 224, 224))
    for i, (n, c) in enumerate(zip(blocks, (64, 128, 256, 512, 512), strict=True), start=1):
        for j in range(1, n + 1):
            b.conv(f"conv{i}_{j}", c, 3, 1, 1)
            b.ew(f"relu{i}_{j}", "relu", 1)
        b.pool(f"pool{i}", 2, 2)
    for i in (6, 7):
        b.fc(f"fc{i}", 4096)
        b.ew(f"relu{i}", "relu", 1)
        b.ew(f"drop{i}", "dropout", 1)
    b.fc("fc8", 1000)
    b.ew("prob", "softmax", 3)
    return b.layers


def _inception(b: _Builder, name: str, c1, c3r, c3, c5r, c5, cp) -> None:
    src = b.shape
    for conv_name, cout, k, p, inp in (("1x1", c1, 1, 0, src), ("3x3_reduce", c3r, 1, 0, src)):
        b.conv(f"{name}/{conv_name}", cout, k, 1, p, src=inp)
        b.ew(f"{name}/relu_{conv_name}", "relu", 1)
    b.conv(f"{name}/3x3", c3, 3, 1, 1)
    b.ew(f"{name}/relu_3x3", "relu", 1)
    b.conv(f"{name}/5x5_reduce", c5r, 1, src=src)
    b.ew(f"{name}/relu_5x5_reduce", "relu", 1)
    b.conv(f"{name}/5x5", c5, 5, 1, 2)
    b.ew(f"{name}/relu_5x5", "relu", 1)
    b.pool(f"{name}/pool", 3, 1, 1, src=src)
    b.conv(f"{name}/pool_proj", cp, 1)
    b.ew(f"{name}/relu_pool_proj", "relu", 1)
    out = (c1 + c3 + c5 + cp, src[1], src[2])
    b._add(Layer(f"{name}/output", "concat", out, out))


def _googlenet() -> list[Layer]:
    b = _Builder((3, 224, 224))
    b.conv("conv1/7x7_s2", 64, 7, 2, 3)
    b.ew("conv1/relu_7x7", "relu", 1)
    b.pool("pool1/3x3_s2", 3, 2)
    b.ew("pool1/norm1", "lrn", 13)
    b.conv("conv2/3x3_reduce", 64, 1)
    b.ew("conv2/relu_3x3_reduce", "relu", 1)
    b.conv("conv2/3x3", 192, 3, 1, 1)
    b.ew("conv2/relu_3x3", "relu", 1)
    b.ew("conv2/norm2", "lrn", 13)
    b.pool("pool2/3x3_s2", 3, 2)
    _inception(b, "inception_3a", 64, 96, 128, 16, 32, 32)
    _inception(b, "inception_3b", 128, 128, 192, 32, 96, 64)
    b.pool("pool3/3x3_s2", 3, 2)
    _inception(b, "inception_4a", 192, 96, 208, 16, 48, 64)
    _inception(b, "inception_4b", 160, 112, 224, 24, 64, 64)
    _inception(b, "inception_4c", 128, 128, 256, 24, 64, 64)
    _inception(b, "inception_4d", 112, 144, 288, 32, 64, 64)
    _inception(b, "inception_4e", 256, 160, 320, 32, 128, 128)
    b.pool("pool4/3x3_s2", 3, 2)
    _inception(b, "inception_5a", 256, 160, 320, 32, 128, 128)
    _inception(b, "inception_5b", 384, 192, 384, 48, 128, 128)
    b.pool("pool5/7x7_s1", 7, 1)
    b.ew("pool5/drop_7x7_s1", "dropout", 1)
    b.fc("loss3/classifier", 1000)
    b.ew("prob", "softmax", 3)
    return b.layers


def _resnet50() -> list[Layer]:
    b = _Builder((3, 224, 224))

    def conv_bn(name, cout, k, s=1, p=0, relu=True, src=None):
        b.conv(name, cout, k, s, p, bias=False, src=src)
        b.ew(f"bn_{name}", "bn", 4, params=2 * cout)
        if relu:
            b.ew(f"{name}_relu", "relu", 1)

    conv_bn("conv1", 64, 7, 2, 3)
    b.pool("pool1", 3, 2, 0)
    for stage, (n, mid, out) in enumerate(
        ((3, 64, 256), (4, 128, 512), (6, 256, 1024), (3, 512, 2048)), start=2
    ):
        for i in range(n):
            name = f"res{stage}{chr(ord('a') + i)}"
            src = b.shape
            stride = 2 if (i == 0 and stage > 2) else 1
            if i == 0:
                conv_bn(f"{name}_branch1", out, 1, stride, relu=False, src=src)
            conv_bn(f"{name}_branch2a", mid, 1, stride, src=src)
            conv_bn(f"{name}_branch2b", mid, 3, 1, 1)
            conv_bn(f"{name}_branch2c", out, 1, relu=False)
            b._add(Layer(name, "eltwise", b.shape, b.shape, flops=float(math.prod(b.shape))))
            b.ew(f"{name}_relu", "relu", 1)
    b.pool("pool5", 7, 1)
    b.fc("fc1000", 1000)
    b.ew("prob", "softmax", 3)
    return b.layers


MODELS = {
    "alexnet": lambda: _alexnet(True),
    "alexnet_one_tower": lambda: _alexnet(False),
    "vgg16": lambda: _vgg(16),
    "vgg19": lambda: _vgg(19),
    "googlenet": _googlenet,
    "resnet50": _resnet50,
}


def get(name: str) -> list[Layer]:
    """The layer table of network ``name`` (one of :data:`MODELS`)."""
    if name not in MODELS:
        raise ValueError(f"name must be one of {', '.join(MODELS)}, got {name!r}")
    return MODELS[name]()


def param_count(model: str | list[Layer]) -> int:
    """Total learnable parameters of a network (name or layer list)."""
    layers = get(model) if isinstance(model, str) else model
    return sum(ly.params for ly in layers)


def macs(model: str | list[Layer]) -> float:
    """Multiply-accumulates of the conv and fc layers per image."""
    layers = get(model) if isinstance(model, str) else model
    return sum(ly.macs for ly in layers)
