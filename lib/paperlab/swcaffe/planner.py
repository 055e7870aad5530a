"""The conv planner: direct swDNN kernel or im2col + GEMM (rule of swCaffe's ``conv_layer.cpp``).

Direct if ``batch >= 128 and Ni >= 64 and Ni % 32 == 0 and No >= 64 and No % 32 == 0 and group == 1``
[V-code]; this project adds ``stride == 1`` (its direct kernel has no stride) [D].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paperlab.sunway.models import Layer


@dataclass(frozen=True)
class Route:
    """``route``: "direct" or "im2col"; ``reason``: the first failed condition (or "all conditions hold")."""

    route: str
    reason: str


def direct_conditions(
    batch: int, ni: int, no: int, groups: int = 1, stride: int = 1
) -> list[tuple[str, bool]]:
    """The planner's conditions in order, each ``(text, holds)``."""
    return [
        ("batch >= 128", batch >= 128),
        ("Ni >= 64", ni >= 64),
        ("Ni % 32 == 0", ni % 32 == 0),
        ("No >= 64", no >= 64),
        ("No % 32 == 0", no % 32 == 0),
        ("group == 1", groups == 1),
        ("stride == 1 [project rule]", stride == 1),
    ]


def plan_conv(layer: Layer, batch: int) -> Route:
    """Route of one conv layer at ``batch`` images (per core group)."""
    if not isinstance(layer, Layer) or layer.type != "conv":
        raise ValueError(f"layer must be a conv Layer, got {getattr(layer, 'type', type(layer).__name__)!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch <= 0:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    for text, ok in direct_conditions(
        batch, layer.in_shape[0], layer.out_shape[0], layer.groups, layer.stride
    ):
        if not ok:
            return Route("im2col", f"fails {text}")
    return Route("direct", "all conditions hold")


@dataclass(frozen=True)
class NetPlan:
    """Per layer: ``routes[name]`` for conv layers, and the layer types left on the MPE (``on_mpe``)."""

    batch: int
    routes: dict = field(default_factory=dict)
    on_mpe: frozenset = frozenset()

    def counts(self) -> dict[str, int]:
        out = {"direct": 0, "im2col": 0}
        for r in self.routes.values():
            out[r.route] += 1
        return out


def plan_net(model: list[Layer], batch: int, on_mpe=frozenset()) -> NetPlan:
    """Route every conv layer of ``model``; ``on_mpe`` names layer types run on the MPE (e.g. {"bn", "scale"})."""
    routes = {ly.name: plan_conv(ly, batch) for ly in model if ly.type == "conv"}
    return NetPlan(batch, routes, frozenset(on_mpe))
