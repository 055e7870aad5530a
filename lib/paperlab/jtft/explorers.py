"""Logic behind the notebook widgets (the widget cells only wire sliders to these functions)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from paperlab.jtft.freq_init import accumulate_spectrum, dct_matrix, select_frequencies
from paperlab.jtft.layers import Patcher, RevIN, n_patches


def cdct_similarity(f_bins: float, n_patches: int) -> dict:
    """The CDCT basis row at frequency ``f = f_bins / N`` and its cosine similarity with every
    orthonormal DCT-II row k (``similarity[k]``). Integer ``f_bins`` ≥ 1 gives similarity 1 at k."""
    if not isinstance(n_patches, int) or n_patches <= 0:
        raise ValueError(f"n_patches must be a positive integer, got {n_patches!r}")
    n = np.arange(n_patches) + 0.5
    row = math.sqrt(2.0 / n_patches) * np.cos(np.pi * n * f_bins / n_patches)
    d = dct_matrix(n_patches).double().numpy()
    norm = np.linalg.norm(row)
    sim = d @ row / norm if norm > 0 else np.zeros(n_patches)
    return {"row": row, "similarity": sim}


def spectrum_view(
    values: np.ndarray, seq_len: int, patch_len: int, stride: int, n_freq: int, max_windows: int = 256
) -> dict:
    """Run the frequency-initialisation scores on windows of ``values [T, C]`` and return
    ``scores [N]``, the chosen integer ``bins`` and their periods in time steps (2NS/k)."""
    x = torch.as_tensor(np.asarray(values, dtype=np.float32))
    if x.ndim != 2 or len(x) <= seq_len:
        raise ValueError(f"values must be [T > seq_len, C], got shape {tuple(x.shape)}")
    n = n_patches(seq_len, patch_len, stride)
    starts = np.linspace(0, len(x) - seq_len, min(max_windows, len(x) - seq_len + 1)).astype(int)
    windows = torch.stack([x[s : s + seq_len] for s in starts])
    loader = [(windows[i : i + 64], None) for i in range(0, len(windows), 64)]
    scores = accumulate_spectrum(loader, Patcher(patch_len, stride), RevIN())
    bins = (select_frequencies(scores, n_freq, n) * n).round().int().tolist()
    periods = [2 * n * stride / k if k else float("inf") for k in bins]
    return {"scores": scores.numpy(), "bins": bins, "periods": periods}


@torch.no_grad()
def forecast_window(model: nn.Module, values: np.ndarray, start: int, seq_len: int, pred_len: int) -> dict:
    """One forecast from rows ``[start, start + L)`` of ``values [T, C]``: history, truth and forecast."""
    v = np.asarray(values, dtype=np.float32)
    if not 0 <= start <= len(v) - seq_len - pred_len:
        raise ValueError(f"start must be in [0, {len(v) - seq_len - pred_len}], got {start}")
    model.eval()
    x = torch.as_tensor(v[start : start + seq_len])[None]
    return {
        "history": v[start : start + seq_len],
        "truth": v[start + seq_len : start + seq_len + pred_len],
        "forecast": model(x)[0].numpy(),
    }
