"""Seeded synthetic series with known ground truth, for the mechanism experiments (E3–E5).

Every generator returns ``(values [T, C] float32, truth: dict)``.
"""

from __future__ import annotations

import numpy as np


def _ar1(rng: np.random.Generator, t: int, c: int, phi: float, scale: float) -> np.ndarray:
    """AR(1) noise e_t = φ e_{t−1} + scale·ε_t, ``[t, c]``."""
    eps = rng.normal(0.0, scale, size=(t, c))
    out = np.empty_like(eps)
    out[0] = eps[0]
    for i in range(1, t):
        out[i] = phi * out[i - 1] + eps[i]
    return out


def _check(t: int, c: int) -> None:
    if t < 2:
        raise ValueError(f"T must be >= 2, got {t}")
    if c < 1:
        raise ValueError(f"C must be >= 1, got {c}")


def period_to_bin(period: float, seq_len: int, patch_len: int, stride: int) -> float:
    """Bin of the CDCT basis that matches ``period`` time steps: k = 2 N S / p (N patches incl. padding)."""
    if period <= 0:
        raise ValueError(f"period must be positive, got {period}")
    n = (seq_len - patch_len) // stride + 2
    return 2 * n * stride / period


def spectral_factors(
    T: int,
    C: int,
    periods: tuple[float, ...] = (24.0, 96.0),
    ar_phi: float = 0.5,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[np.ndarray, dict]:
    """K = len(periods) sinusoidal factors (one per period, random phase), mixed into C channels by a
    random matrix ``mixing [C, K]``, plus AR(1) noise. Truth: ``periods``, ``mixing``."""
    _check(T, C)
    if not periods or min(periods) <= 0:
        raise ValueError(f"periods must be positive, got {periods}")
    rng = np.random.default_rng(seed)
    t = np.arange(T)[:, None]
    phases = rng.uniform(0, 2 * np.pi, size=len(periods))
    factors = np.cos(2 * np.pi * t / np.asarray(periods)[None, :] + phases)  # [T, K]
    mixing = rng.uniform(0.5, 1.5, size=(C, len(periods))) * rng.choice([-1, 1], size=(C, len(periods)))
    x = factors @ mixing.T + _ar1(rng, T, C, ar_phi, noise)
    return x.astype(np.float32), {"periods": tuple(periods), "mixing": mixing}


def lead_lag(
    T: int, C: int, tau_range: tuple[int, int] = (8, 48), rho: float = 1.0, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, dict]:
    """Channel 0 leads: ℓ(t) is an AR(1) shock process (φ = 0.97) plus a weak daily cycle (period 24).
    Follower c: x_c(t) = ρ ℓ(t − τ_c) + √(1 − ρ²) z_c(t) + σ ε, z_c an independent process of the same kind.
    A follower's next τ_c steps are already in the leader's past. Truth: ``tau`` (τ_c, 0 for the leader), ``rho``."""
    _check(T, C)
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho must be in [0, 1], got {rho}")
    lo, hi = tau_range
    if not 1 <= lo <= hi:
        raise ValueError(f"tau_range must satisfy 1 <= low <= high, got {tau_range}")
    rng = np.random.default_rng(seed)
    pad = hi
    t = np.arange(T + pad)[:, None]

    def process(k: int) -> np.ndarray:
        x = _ar1(rng, T + pad, k, 0.97, 0.25) + 0.5 * np.sin(
            2 * np.pi * t / 24 + rng.uniform(0, 2 * np.pi, k)
        )
        return x / x.std(axis=0)

    leader = process(1)[:, 0]
    own = process(C)
    tau = np.zeros(C, dtype=int)
    tau[1:] = rng.integers(lo, hi + 1, size=C - 1)
    x = np.empty((T, C))
    x[:, 0] = leader[pad:]
    for c in range(1, C):
        x[:, c] = rho * leader[pad - tau[c] : pad - tau[c] + T] + np.sqrt(1 - rho**2) * own[pad:, c]
    x[:, 1:] += noise * rng.normal(size=(T, C - 1))
    return x.astype(np.float32), {"tau": tau, "rho": rho}


def level_shift(
    T: int,
    C: int,
    jump_rate: float = 0.002,
    jump_scale: float = 3.0,
    period: float = 24.0,
    noise: float = 0.2,
    seed: int = 0,
) -> tuple[np.ndarray, dict]:
    """A seasonal series (period ``period``) plus rare level jumps (Bernoulli(jump_rate) per step,
    size N(0, jump_scale²)) and white noise. Truth: ``jumps`` = list per channel of jump times."""
    _check(T, C)
    if not 0.0 <= jump_rate <= 1.0:
        raise ValueError(f"jump_rate must be in [0, 1], got {jump_rate}")
    rng = np.random.default_rng(seed)
    t = np.arange(T)[:, None]
    season = np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi, C))
    jumps = rng.random((T, C)) < jump_rate
    jumps[0] = False
    level = np.cumsum(jumps * rng.normal(0, jump_scale, (T, C)), axis=0)
    x = season + level + noise * rng.normal(size=(T, C))
    return x.astype(np.float32), {"jumps": [np.flatnonzero(jumps[:, c]) for c in range(C)]}
