"""Calibration of the node model on swCaffe's own 2017 profile (``sunway/calibration/swcaffe_profile_2017.csv``).

The profile (feifeibear/SWCaffe ``swprofile/result171022``, one training iteration per network, one MPI rank
per core group) is the only measured swCaffe timing available. Two parameters are fitted on AlexNet-BN and
one network is held out:

- ``eta_conv_code``: the deployed conv code's efficiency relative to the kernel models, so that the modelled
  AlexNet-BN conv time (forward + backward, batch 64) equals the measured 11.0 s;
- ``mpe_mem_bw``: the MPE's streaming bandwidth, so that BN + Scale on the MPE take the measured
  14.9 + 23.0 s (they are memory-bound there; ``eta_mpe`` is not constrained by the profile);
- held out: VGG-16 (batch 32): its conv time (112 s) and iteration (114-124 s) are predicted, not fitted.

Batch sizes [V-code]: ``models/alexnet/train_val_debug.prototxt`` (batch_size 64, commit 1c0d314) and
``models/vgg/train_val_debug.prototxt`` (batch_size 32, commit f8e7d82) of feifeibear/SWCaffe; that these
were the versions run on 2017-10-22 is an assumption. One core group per rank ("4CG parallel is not
supported in this version", ``Readme.sw``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from paperlab.sunway.arch import SW26010
from paperlab.sunway.dma import CALIBRATION_DIR
from paperlab.swcaffe.net_estimate import NetEstimate, estimate

#: Per-rank batch of each profiled network [V-code, see the module docstring].
PROFILE_BATCH = {"alexnet_bn": 64, "vgg16": 32}
MPE_TYPES = frozenset({"bn", "scale"})


def load_profile() -> dict[tuple[str, str], float]:
    """``(network, item) -> seconds`` from ``swcaffe_profile_2017.csv``."""
    path = CALIBRATION_DIR / "swcaffe_profile_2017.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    return {(r["network"], r["item"]): float(r["seconds"]) for r in rows}


def _seconds(est: NetEstimate, types) -> float:
    return float(sum(r["fwd_s"] + r["bwd_s"] for r in est.rows if r["type"] in types))


def profile_estimate(network: str, spec: SW26010) -> NetEstimate:
    """The node model of one profiled iteration: one core group, the profile's batch, BN/Scale on the MPE."""
    if network not in PROFILE_BATCH:
        raise ValueError(f"network must be one of {sorted(PROFILE_BATCH)}, got {network!r}")
    return estimate(network, PROFILE_BATCH[network], spec, on_mpe=MPE_TYPES, n_cg=1)


def fit_mpe_mem_bw(spec: SW26010, target_s: float, lo: float = 1e6, hi: float = 1e12) -> float:
    """Bandwidth (bytes/s) at which the modelled AlexNet-BN BN + Scale time equals ``target_s`` (bisection)."""
    if not target_s > 0:
        raise ValueError(f"target_s must be positive, got {target_s!r}")

    def t(bw: float) -> float:
        return _seconds(profile_estimate("alexnet_bn", spec.replace(mpe_mem_bw=bw)), MPE_TYPES)

    if not t(hi) < target_s < t(lo):
        raise ValueError(f"target_s={target_s} is outside what bandwidths {lo:g}..{hi:g} B/s can give")
    for _ in range(100):
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if t(mid) > target_s else (lo, mid)
    return (lo * hi) ** 0.5


@dataclass(frozen=True)
class ProfileFit:
    """The fitted parameters and the fitted / held-out comparisons (seconds)."""

    eta_conv_code: float
    mpe_mem_bw: float
    alexnet_conv: tuple[float, float]  # (model, measured), fitted
    alexnet_mpe: tuple[float, float]  # BN + Scale (model, measured), fitted
    alexnet_bn: tuple[float, float]  # BN alone (model, measured), in-sample breakdown
    alexnet_scale: tuple[float, float]  # Scale alone
    alexnet_iter: tuple[float, float]
    vgg16_conv: tuple[float, float]  # held out
    vgg16_iter: tuple[float, tuple[float, float]]  # held out: model, measured range

    @property
    def vgg16_conv_ratio(self) -> float:
        """Held-out VGG-16 conv time, model / measured."""
        return self.vgg16_conv[0] / self.vgg16_conv[1]

    def spec(self, spec: SW26010 | None = None) -> SW26010:
        return (spec or SW26010()).replace(eta_conv_code=self.eta_conv_code, mpe_mem_bw=self.mpe_mem_bw)


def fit_profile(spec: SW26010 | None = None) -> ProfileFit:
    """Fit ``eta_conv_code`` and ``mpe_mem_bw`` on AlexNet-BN and predict the held-out VGG-16 rows."""
    spec = (spec or SW26010()).replace(eta_conv_code=1.0)
    prof = load_profile()
    conv_raw = _seconds(profile_estimate("alexnet_bn", spec), {"conv"})
    eta = conv_raw / prof[("alexnet_bn", "convolutions")]
    if not 0 < eta <= 1:
        raise ValueError(f"the fitted eta_conv_code={eta:.3g} is outside (0, 1]")
    mpe_target = prof[("alexnet_bn", "batchnorm_layers")] + prof[("alexnet_bn", "scale_layers")]
    bw = fit_mpe_mem_bw(spec.replace(eta_conv_code=eta), mpe_target)
    fitted = spec.replace(eta_conv_code=eta, mpe_mem_bw=bw)
    a = profile_estimate("alexnet_bn", fitted)
    v = profile_estimate("vgg16", fitted)
    return ProfileFit(
        eta_conv_code=eta,
        mpe_mem_bw=bw,
        alexnet_conv=(_seconds(a, {"conv"}), prof[("alexnet_bn", "convolutions")]),
        alexnet_mpe=(_seconds(a, MPE_TYPES), mpe_target),
        alexnet_bn=(_seconds(a, {"bn"}), prof[("alexnet_bn", "batchnorm_layers")]),
        alexnet_scale=(_seconds(a, {"scale"}), prof[("alexnet_bn", "scale_layers")]),
        alexnet_iter=(a.iter_s, prof[("alexnet_bn", "iteration_total")]),
        vgg16_conv=(_seconds(v, {"conv"}), prof[("vgg16", "convolutions")]),
        vgg16_iter=(
            v.iter_s,
            (prof[("vgg16", "iteration_total_min")], prof[("vgg16", "iteration_total_max")]),
        ),
    )


__all__ = ["PROFILE_BATCH", "ProfileFit", "fit_mpe_mem_bw", "fit_profile", "load_profile", "profile_estimate"]
