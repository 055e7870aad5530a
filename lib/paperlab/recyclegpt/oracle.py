"""A test double for the recyclable module: it recomputes the full model on x_<=t+1.

With it, the module's prediction of x_{t+2} *is* the full model's, so alternating decoding must
reproduce standard greedy decoding token for token. That pins down the cache bookkeeping.
"""

from __future__ import annotations

import torch
from torch import nn

from paperlab.recyclegpt.cache import KVCache
from paperlab.recyclegpt.model import TinyGPT


class OracleModule(nn.Module):
    """Drop-in for ``RecycleGPT.rec``: ignores h_t and returns F(x_<=t+1)_{t+1} from its own F cache."""

    def __init__(self, base: TinyGPT) -> None:
        super().__init__()
        self._base = (base,)

    def new_cache(self, prompt: torch.Tensor | None = None) -> KVCache:
        """A KV cache of the full model already holding x_1 (the oracle needs the whole prefix)."""
        if prompt is None:
            raise ValueError("prompt is required: the oracle must see x_1")
        base = self._base[0]
        cache = base.new_cache()
        base(prompt[:, :1], cache)
        return cache

    def forward(self, prev_hidden, next_tok, cache=None, use_embedding=True) -> torch.Tensor:
        if cache is None:
            raise ValueError("cache is required: the oracle works incrementally only")
        _, h = self._base[0](next_tok, cache)
        return h
