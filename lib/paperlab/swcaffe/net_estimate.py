"""Single-node time of a training iteration, layer by layer, and the K40m roofline for comparison.

Per layer (forward; backward = 2 x forward [D]):
- conv, direct route: :func:`conv_direct.direct_conv_time` + layout transforms of its input and output;
- conv, im2col route: per image and group, im2col streaming + SUMMA GEMM (:func:`im2col_gemm.gemm_time`);
  a 1x1 convolution with stride 1 and no padding skips im2col (Caffe's ``is_1x1_`` shortcut);
- every conv time is divided by ``spec.eta_conv_code``, the efficiency of swCaffe's deployed conv code
  relative to these kernel models, fitted on the 2017 profile (:mod:`paperlab.swcaffe.calibrate`);
- fc: one GEMM ``out x in @ in x batch``;
- other layers: streaming kernels on the CPEs (``eta_naive``), or on the MPE if their type is in ``on_mpe``.
Plus the solver update (SGD with momentum: 3 reads + 2 writes of the parameters) [D].
A node has 4 core groups; the node batch is split evenly over them (swCaffe's SW4CG mode) [D].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperlab.sunway.arch import SW26010
from paperlab.sunway.models import Layer, get, param_count
from paperlab.swcaffe.conv_direct import direct_conv_time
from paperlab.swcaffe.im2col_gemm import gemm_time, im2col_cost
from paperlab.swcaffe.layers import stream_time
from paperlab.swcaffe.layout import transform_cost
from paperlab.swcaffe.planner import plan_conv

STREAM_BYTES = {"bn": 3, "scale": 2}  # passes over the data per element (default 2: one read, one write)


@dataclass
class NetEstimate:
    """``rows``: per layer name, type, route, fwd_s, bwd_s; ``iter_s`` (one node), ``img_s``, ``peak_frac``."""

    model: str
    batch: int
    rows: list[dict]
    iter_s: float
    img_s: float
    peak_frac: float

    def share(self, types) -> float:
        """Fraction of the iteration spent in layers of the given types."""
        return sum(r["fwd_s"] + r["bwd_s"] for r in self.rows if r["type"] in types) / self.iter_s


def with_bn(model: list[Layer]) -> list[Layer]:
    """Insert Caffe-style BatchNorm + Scale layers after every conv and drop LRN (AlexNet-BN of the 2017
    profile: "AlexNet with BatchNorm instead of LRN", ``models/alexnet/train_val_debug.prototxt``)."""
    out = []
    for ly in model:
        if ly.type == "lrn":
            continue
        out.append(ly)
        if ly.type == "conv":
            c, s = ly.out_shape, ly.out_elems
            out.append(Layer(f"bn_{ly.name}", "bn", c, c, flops=4.0 * s))
            out.append(Layer(f"scale_{ly.name}", "scale", c, c, flops=2.0 * s, params=2 * c[0]))
    return out


def _model(model) -> tuple[str, list[Layer]]:
    if isinstance(model, str):
        if model == "alexnet_bn":
            return model, with_bn(get("alexnet"))
        return model, get(model)
    if isinstance(model, list) and all(isinstance(x, Layer) for x in model):
        return "custom", model
    raise TypeError("model must be a model name or a list of Layer")


def is_1x1(ly: Layer) -> bool:
    """Caffe's ``is_1x1_``: kernel 1, stride 1, no padding; the input is the column matrix, no im2col."""
    return ly.kernel == 1 and ly.stride == 1 and ly.pad == 0


def layer_time(ly: Layer, batch: int, spec: SW26010, on_mpe=frozenset()) -> tuple[str, float]:
    """``(route, forward seconds)`` of one layer at ``batch`` images on one core group."""
    if ly.type == "conv":
        ni, h, w = ly.in_shape
        no, ho, wo = ly.out_shape
        route = plan_conv(ly, batch).route
        if route == "direct":
            t = direct_conv_time(ni, no, batch, h, w, ly.kernel, ly.pad, spec)["time"]
            t += transform_cost(ly.in_elems * batch, spec=spec) + transform_cost(
                ly.out_elems * batch, spec=spec
            )
            return route, t / spec.eta_conv_code
        g = ly.groups
        per_img = 0.0 if is_1x1(ly) else im2col_cost(ni, h, w, ly.kernel, ho, wo, spec)
        per_img += g * gemm_time(no // g, ho * wo, ni // g * ly.kernel**2, spec)
        return route, batch * per_img / spec.eta_conv_code
    if ly.type == "fc":
        return "gemm", gemm_time(ly.out_shape[0], batch, ly.in_elems, spec)
    passes = STREAM_BYTES.get(ly.type, 2)
    nbytes = 4.0 * batch * max(ly.in_elems, ly.out_elems) * passes
    where = "mpe" if ly.type in on_mpe else "cpe"
    return where, stream_time(ly.flops * batch, nbytes, where == "mpe", spec)


def estimate(
    model, batch: int, spec: SW26010 | None = None, on_mpe=frozenset(), n_cg: int = 4
) -> NetEstimate:
    """Iteration time of ``model`` at node batch ``batch`` (split over ``n_cg`` core groups)."""
    spec = spec or SW26010()
    name, layers = _model(model)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch <= 0 or batch % n_cg:
        raise ValueError(f"batch must be a positive multiple of n_cg={n_cg}, got {batch!r}")
    b = batch // n_cg
    rows = []
    for ly in layers:
        route, t = layer_time(ly, b, spec, frozenset(on_mpe))
        rows.append({"name": ly.name, "type": ly.type, "route": route, "fwd_s": t, "bwd_s": 2.0 * t})
    n_par = param_count(layers)
    upd = stream_time(2.0 * n_par, 5.0 * 4 * n_par, False, spec)
    rows.append({"name": "sgd_update", "type": "update", "route": "cpe", "fwd_s": upd, "bwd_s": 0.0})
    it = float(sum(r["fwd_s"] + r["bwd_s"] for r in rows))
    flops = 3.0 * sum(ly.flops for ly in layers) * batch
    return NetEstimate(name, batch, rows, it, batch / it, flops / (it * n_cg * spec.cg_peak))


K40M_PEAK_SP = 4.29e12  # [M] public spec, SP flop/s
K40M_BW = 288e9  # [M] public spec, bytes/s


def k40m_estimate(model, batch: int, eff: float = 0.6) -> float:
    """Roofline img/s of a K40m: per layer ``max(flops / (eff * peak), bytes / bw)``, backward = 2 x forward."""
    if not 0 < eff <= 1:
        raise ValueError(f"eff must be in (0, 1], got {eff!r}")
    _, layers = _model(model)
    t = 0.0
    for ly in layers:
        nbytes = 4.0 * (batch * (ly.in_elems + ly.out_elems) + ly.params)
        t += 3.0 * max(ly.flops * batch / (eff * K40M_PEAK_SP), nbytes / K40M_BW)
    return batch / t


def conv_sweep(
    channels, batches, hw: int = 14, k: int = 3, spec: SW26010 | None = None
) -> dict[str, np.ndarray]:
    """C2: utilisation of the direct kernel (Ni = No = c) and of the im2col route over channels x batches."""
    spec = spec or SW26010()
    ch, bs = list(channels), list(batches)
    direct = np.full((len(ch), len(bs)), np.nan)
    im2col = np.zeros((len(ch), len(bs)))
    for i, c in enumerate(ch):
        for j, b in enumerate(bs):
            flops = 2.0 * c * c * k * k * hw * hw * b
            try:
                direct[i, j] = direct_conv_time(c, c, b, hw, hw, k, k // 2, spec)["utilisation"]
            except ValueError:
                pass
            t = b * (im2col_cost(c, hw, hw, k, hw, hw, spec) + gemm_time(c, hw * hw, c * k * k, spec))
            im2col[i, j] = flops / (t * spec.cg_peak)
    return {"channels": np.array(ch), "batches": np.array(bs), "direct": direct, "im2col": im2col}


def mem_per_node_gb(model, batch: int) -> float:
    """Rough training memory (GB): activations kept for backward (2 x sum of outputs) + 4 copies of params."""
    _, layers = _model(model)
    acts = 2.0 * sum(ly.out_elems for ly in layers) * batch
    return 4.0 * (acts + 4.0 * param_count(layers)) / 1e9


__all__ = [
    "NetEstimate",
    "conv_sweep",
    "estimate",
    "is_1x1",
    "k40m_estimate",
    "layer_time",
    "mem_per_node_gb",
    "with_bn",
]
