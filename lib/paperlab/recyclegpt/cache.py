"""A key/value cache for incremental decoding, with rollback (``truncate``) for verification."""

from __future__ import annotations

import torch


class KVCache:
    """Per-layer K and V tensors of shape (batch, heads, length, head_dim).

    Buffers are allocated once, at the first ``append``, with room for ``max_len`` positions, so a
    decoding step writes into a slice instead of concatenating (no O(T) copy per step).
    """

    def __init__(self, n_layers: int, max_len: int) -> None:
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        if max_len < 1:
            raise ValueError(f"max_len must be >= 1, got {max_len}")
        self.n_layers = n_layers
        self.max_len = max_len
        self._k: list[torch.Tensor | None] = [None] * n_layers
        self._v: list[torch.Tensor | None] = [None] * n_layers
        self._len = [0] * n_layers

    @property
    def length(self) -> int:
        """Positions held by every layer (layers are filled in order during a forward call)."""
        return min(self._len)

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append q new positions (k, v: (B, H, q, Dh)) to ``layer``; return all cached K and V."""
        if not 0 <= layer < self.n_layers:
            raise ValueError(f"layer must be in [0, {self.n_layers}), got {layer}")
        start, q = self._len[layer], k.shape[2]
        if start + q > self.max_len:
            raise ValueError(
                f"the cache holds max_len={self.max_len} positions; {start} + {q} would overflow"
            )
        if self._k[layer] is None:
            b, h, _, dh = k.shape
            self._k[layer] = k.new_empty(b, h, self.max_len, dh)
            self._v[layer] = v.new_empty(b, h, self.max_len, dh)
        self._k[layer][:, :, start : start + q] = k
        self._v[layer][:, :, start : start + q] = v
        self._len[layer] = start + q
        return self._k[layer][:, :, : start + q], self._v[layer][:, :, : start + q]

    def truncate(self, n: int) -> None:
        """Forget every position from ``n`` on (a rollback: later appends overwrite them)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        self._len = [min(length, n) for length in self._len]
