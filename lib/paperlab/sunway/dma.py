"""DMA between main memory and LDM: the measured swCandle curves and the model fitted to them.

Model (a descriptor costs a start-up ``t0``, each contiguous block of it ``t_block``, and the bytes share
the core group's DMA bandwidth ``B_cg`` among the ``n_active`` CPEs):

    t = n_desc * t0 + n_blocks * t_block + n_active * nbytes / B_cg        (one CPE's DMA phase)

Both swCandle tables constrain it (:func:`fit_dma_joint`): the contiguous table (one block per
descriptor, 64 CPEs) gives ``t(s) = t0 + t_block + s / bw_cpe`` with ``bw_cpe = B_cg / 64``; the strided
table (one descriptor of many ``b``-byte blocks) gives the per-block time ``t_block + b / bw_cpe``, i.e.
``bw_cg(b) = B_cg * b / (b + h)`` with ``h = t_block * bw_cpe``.

Units: bytes, seconds, bytes/s (the swCandle table is in GB/s = 1e9 B/s and counts read + written bytes;
the model's bytes are bytes moved by DMA in either direction, gets and puts charged alike).
Range: calibrated on 64 B - 24 KB blocks; below 64 B the model underestimates bandwidth by 30-50 %
(the measured small-DMA regime costs ~1.1 us per DMA): :func:`check_block` warns once per kernel.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperlab.sunway.arch import SW26010

CALIBRATION_DIR = Path(__file__).resolve().parent / "calibration"
_MODES = ("contiguous", "strided", "bcast")
#: Smallest contiguous block (bytes) inside the calibrated range of the DMA model.
MIN_CALIBRATED_BLOCK = 64
_WARNED: set[str] = set()


class SmallBlockWarning(UserWarning):
    """A plan moves DMA blocks below the calibrated range (< 64 B), where the model is 30-50 % off."""


def check_block(block_bytes: float, kernel: str) -> bool:
    """Warn once per ``kernel`` when ``block_bytes`` is below :data:`MIN_CALIBRATED_BLOCK`; True if in range."""
    if block_bytes >= MIN_CALIBRATED_BLOCK:
        return True
    if kernel not in _WARNED:
        _WARNED.add(kernel)
        warnings.warn(
            f"kernel {kernel!r} moves {block_bytes:g}-byte DMA blocks, below the calibrated range "
            f"(>= {MIN_CALIBRATED_BLOCK} B): the DMA model underestimates small-block bandwidth by 30-50 %",
            SmallBlockWarning,
            stacklevel=2,
        )
    return False


def _positive(name: str, value, allow_array: bool = True) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim and not allow_array:
        raise TypeError(f"{name} must be a scalar, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return arr


def load_swcandle(mode: str = "contiguous", kernel: str | None = None) -> dict[str, np.ndarray]:
    """The transcribed swCandle DMA table (``calibration/swcandle_dma.csv``).

    Args:
        mode: ``"contiguous"`` (PE_CONT), ``"strided"`` (PE_STEP, min/max over strides) or ``"bcast"``.
        kernel: keep only rows of this kernel (``"copy"``, ``"triad"``, ``"copy_min"``, ``"copy_max"``).

    Returns:
        Columns as arrays: ``block_bytes`` (int), ``gbps`` (GB/s per core group), ``kernel`` and
        ``source_file`` (str), sorted as in the file (ascending block size).
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(_MODES)}, got {mode!r}")
    path = CALIBRATION_DIR / "swcandle_dma.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    rows = [r for r in rows if r["mode"] == mode and (kernel is None or r["kernel"] == kernel)]
    if not rows:
        raise ValueError(f"no rows for mode={mode!r}, kernel={kernel!r} in {path.name}")
    return {
        "block_bytes": np.array([int(r["block_bytes"]) for r in rows]),
        "gbps": np.array([float(r["gbps_per_cg"]) for r in rows]),
        "kernel": np.array([r["kernel"] for r in rows]),
        "source_file": np.array([r["source_file"] for r in rows]),
    }


def bw_cg(block_bytes, spec: SW26010 | None = None) -> np.ndarray | float:
    """DMA bandwidth of one core group (bytes/s) with all CPEs moving ``block_bytes``-byte blocks.

    ``bw_cg(b) = B_cg * b / (b + h)`` with ``B_cg = spec.dma_bw_cg`` and ``h = spec.dma_half_block``.
    Accepts scalars or arrays; returns the same shape.
    """
    spec = spec or SW26010()
    b = _positive("block_bytes", block_bytes)
    out = spec.dma_bw_cg * b / (b + spec.dma_half_block)
    return float(out) if out.ndim == 0 else out


def dma_time(
    nbytes: float,
    block_bytes: float | None = None,
    n_desc: int = 1,
    n_active: int | None = None,
    broadcast: bool = False,
    spec: SW26010 | None = None,
) -> float:
    """Seconds for a DMA phase in which each of ``n_active`` CPEs moves ``nbytes``.

    ``t = n_desc * t0 + n_blocks * t_block + n_active * nbytes / B_cg`` with ``n_blocks = nbytes / block``
    (``block_bytes`` defaults to ``nbytes / n_desc``: each descriptor one contiguous block). The bandwidth
    ``B_cg`` of the core group is shared by the *active* CPEs (a [D] assumption: no single-CPE measurement
    exists; with all 64 active each gets ``bw_cpe = B_cg / 64``, as in the swCandle runs).
    Broadcast mode reads the source once and delivers it to every CPE:
    ``t = nbytes / (eta_bcast * bw_cg(block))`` (calibrated on the one measured 24 KB point).
    """
    spec = spec or SW26010()
    nbytes = float(_positive("nbytes", nbytes, allow_array=False))
    if isinstance(n_desc, bool) or not isinstance(n_desc, int | np.integer) or n_desc < 1:
        raise ValueError(f"n_desc must be a positive int, got {n_desc!r}")
    n_active = spec.n_cpe if n_active is None else n_active
    if (
        isinstance(n_active, bool)
        or not isinstance(n_active, int | np.integer)
        or not 1 <= n_active <= spec.n_cpe
    ):
        raise ValueError(f"n_active must be an int in 1..{spec.n_cpe}, got {n_active!r}")
    block = nbytes / n_desc if block_bytes is None else float(_positive("block_bytes", block_bytes, False))
    if block > nbytes * (1 + 1e-12):
        raise ValueError(f"block_bytes ({block:g}) is larger than the transfer nbytes ({nbytes:g})")
    if broadcast:
        return nbytes / (spec.eta_bcast * bw_cg(block, spec))
    n_blocks = max(float(n_desc), nbytes / block)
    return n_desc * spec.dma_t0 + n_blocks * spec.dma_t_block + n_active * nbytes / spec.dma_bw_cg


@dataclass(frozen=True)
class DmaFit:
    """Result of :func:`fit_dma_model`. ``t0`` s, ``bw_cpe`` and ``B_cg`` bytes/s, ``h`` bytes.

    ``residuals`` are relative bandwidth errors ``(model - measured) / measured`` on the fitted sizes.
    """

    t0: float
    bw_cpe: float
    B_cg: float
    h: float
    sizes: np.ndarray
    measured_gbps: np.ndarray
    residuals: np.ndarray

    def predict_gbps(self, sizes) -> np.ndarray:
        """Model bandwidth per core group in GB/s at ``sizes`` bytes: ``B_cg * s / (s + h) / 1e9``."""
        s = _positive("sizes", sizes)
        return self.B_cg * s / (s + self.h) / 1e9

    def rel_error(self, sizes, gbps) -> np.ndarray:
        """``(model - measured) / measured`` at the given points (e.g. held-out sizes)."""
        return self.predict_gbps(sizes) / np.asarray(gbps, dtype=float) - 1.0


def fit_dma_model(sizes, gbps, weights: str = "abs", n_cpe: int = 64) -> DmaFit:
    """Least-squares fit of ``t(s) = t0 + s / bw_cpe`` to a bandwidth-vs-size table.

    Each row is read as ``n_cpe`` CPEs each issuing one blocking DMA of ``s`` counted bytes, so the time per
    DMA is ``t = n_cpe * s / bw(s)``. ``weights="abs"`` minimises the squared time error,
    ``"rel"`` the squared relative time error (rows weighted by ``1 / t``).

    Args:
        sizes: bytes per DMA (at least two distinct values).
        gbps: measured bandwidth per core group in GB/s, same length.
    """
    s = _positive("sizes", sizes)
    bw = _positive("gbps", gbps) * 1e9
    if s.ndim != 1 or s.shape != bw.shape:
        raise ValueError(f"sizes and gbps must be 1-D and the same length, got {s.shape} and {bw.shape}")
    if np.unique(s).size < 2:
        raise ValueError("sizes must hold at least two distinct values")
    if weights not in ("abs", "rel"):
        raise ValueError(f"weights must be 'abs' or 'rel', got {weights!r}")
    t = n_cpe * s / bw  # seconds per DMA
    w = np.ones_like(t) if weights == "abs" else 1.0 / t
    X = np.stack([np.ones_like(s), s], axis=1) * w[:, None]
    (t0, inv_bw), *_ = np.linalg.lstsq(X, t * w, rcond=None)
    if t0 <= 0 or inv_bw <= 0:
        raise ValueError(f"the fit is unphysical (t0={t0:.3g} s, 1/bw={inv_bw:.3g} s/B); check the table")
    bw_cpe = 1.0 / inv_bw
    fit = DmaFit(
        t0=float(t0),
        bw_cpe=float(bw_cpe),
        B_cg=float(n_cpe * bw_cpe),
        h=float(t0 * bw_cpe),
        sizes=s,
        measured_gbps=bw / 1e9,
        residuals=np.zeros_like(s),
    )
    return DmaFit(**{**fit.__dict__, "residuals": fit.rel_error(s, bw / 1e9)})


@dataclass(frozen=True)
class JointDmaFit:
    """Result of :func:`fit_dma_joint`: ``t0`` s per descriptor, ``t_block`` s per block, ``B_cg`` bytes/s.

    ``h = t_block * B_cg / 64`` bytes is the half-bandwidth block of long strided descriptors.
    """

    t0: float
    t_block: float
    B_cg: float
    n_cpe: int = 64

    @property
    def h(self) -> float:
        return self.t_block * self.B_cg / self.n_cpe

    def predict_gbps(self, mode: str, sizes) -> np.ndarray:
        """Model GB/s per core group: ``"contiguous"`` (one block per DMA) or ``"strided"`` (long descriptors)."""
        s = _positive("sizes", sizes)
        if mode == "contiguous":
            t = self.t0 + self.t_block + self.n_cpe * s / self.B_cg
        elif mode == "strided":
            t = self.t_block + self.n_cpe * s / self.B_cg
        else:
            raise ValueError(f"mode must be 'contiguous' or 'strided', got {mode!r}")
        return self.n_cpe * s / t / 1e9

    def as_spec(self, spec: SW26010 | None = None) -> SW26010:
        """A chip spec whose DMA parameters are this fit."""
        return (spec or SW26010()).replace(dma_t0=self.t0, dma_t_block=self.t_block, dma_bw_cg=self.B_cg)


def calibration_points(min_block: int = MIN_CALIBRATED_BLOCK) -> list[tuple[str, float, float]]:
    """``(mode, block_bytes, GB/s)`` of both swCandle copy tables from ``min_block`` up.

    Strided rows are averaged over the transcribed strides (bandwidth depends on the block, not the stride).
    """
    pts = []
    c = load_swcandle("contiguous", "copy")
    pts += [("contiguous", float(b), float(g)) for b, g in zip(c["block_bytes"], c["gbps"], strict=True)]
    st = load_swcandle("strided")
    for b in np.unique(st["block_bytes"]):
        pts.append(("strided", float(b), float(np.mean(st["gbps"][st["block_bytes"] == b]))))
    return [p for p in pts if p[1] >= min_block]


def fit_dma_joint(points, n_cpe: int = 64) -> JointDmaFit:
    """Relative least-squares fit of ``(t0, t_block, B_cg)`` to ``(mode, block_bytes, GB/s)`` points.

    A contiguous point is ``n_cpe`` CPEs each issuing one DMA of ``s`` bytes: ``t = t0 + t_block + s/bw_cpe``;
    a strided point is one long descriptor of ``b``-byte blocks: per block ``t = t_block + b/bw_cpe``.
    Rows are weighted by ``1/t`` (relative time error), so small and large blocks count alike.
    """
    pts = list(points)
    if len(pts) < 3:
        raise ValueError(f"points must hold at least 3 (mode, block, GB/s) rows, got {len(pts)}")
    X, y = [], []
    for mode, b, g in pts:
        if mode not in ("contiguous", "strided"):
            raise ValueError(f"mode must be 'contiguous' or 'strided', got {mode!r}")
        b, g = float(_positive("block", b, False)), float(_positive("gbps", g, False))
        t = n_cpe * b / (g * 1e9)
        X.append([1.0 if mode == "contiguous" else 0.0, 1.0, b])
        y.append(t)
    X, y = np.array(X), np.array(y)
    w = 1.0 / y
    (t0, tb, inv_bw), *_ = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)
    if t0 <= 0 or tb <= 0 or inv_bw <= 0:
        raise ValueError(f"the fit is unphysical (t0={t0:.3g} s, t_block={tb:.3g} s, 1/bw={inv_bw:.3g} s/B)")
    return JointDmaFit(float(t0), float(tb), float(n_cpe / inv_bw), n_cpe)


def held_out_errors(points, n_cpe: int = 64) -> list[dict]:
    """Leave-one-out: refit without each point and report its relative bandwidth error (model/measured - 1)."""
    pts = list(points)
    out = []
    for i, (mode, b, g) in enumerate(pts):
        fit = fit_dma_joint(pts[:i] + pts[i + 1 :], n_cpe)
        out.append(
            {
                "mode": mode,
                "block_bytes": int(b),
                "measured_gbps": g,
                "model_gbps": float(fit.predict_gbps(mode, b)),
                "rel_err": float(fit.predict_gbps(mode, b) / g - 1.0),
            }
        )
    return out


def dma_blocks(view: np.ndarray, itemsize: int | None = None) -> tuple[int, int]:
    """``(block_bytes, n_blocks)`` of a (possibly strided) numpy view: the contiguous run length.

    Axes are merged from the last one while the data stays contiguous; axes of length 1 are ignored.
    """
    if not isinstance(view, np.ndarray):
        raise TypeError(f"view must be a numpy array, got {type(view).__name__}")
    itemsize = view.itemsize if itemsize is None else itemsize
    if view.size == 0:
        raise ValueError("view must not be empty")
    dims = [(n, st) for n, st in zip(view.shape, view.strides, strict=True) if n > 1]
    run = itemsize
    for n, st in reversed(dims):
        if st != run:
            break
        run *= n
    return run, view.size * itemsize // run
