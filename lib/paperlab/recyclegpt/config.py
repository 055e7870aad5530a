"""The model's sizes: one frozen dataclass shared by the full model and the recyclable module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TinyGPTConfig:
    """Sizes of a character-level GPT with a recyclable module.

    Attributes:
        vocab_size: number of token ids V.
        d_model: width d.
        n_layers: decoder layers L of the full model F.
        n_heads: attention heads (d_model must be divisible by it).
        max_len: longest sequence a KV cache holds (prompt + new tokens). Positions use RoPE, so
            decoding past the training context is defined, but cross-entropy is only evaluated within it.
        rec_layers: decoder layers L_r of the recyclable module R.
        tie_head: share the output classifier W_o with the token embedding E.
    """

    vocab_size: int
    d_model: int = 128
    n_layers: int = 6
    n_heads: int = 4
    max_len: int = 1024
    rec_layers: int = 1
    tie_head: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "d_model", "n_layers", "n_heads", "max_len"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(self.rec_layers, int) or self.rec_layers < 1:
            raise ValueError(f"rec_layers must be a positive int, got {self.rec_layers!r}")
        if self.d_model % self.n_heads or (self.d_model // self.n_heads) % 2:
            raise ValueError(
                f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads}) into an even head size"
            )
