"""TinyGPT with a KV cache, the recyclable module R, and RecycleGPT with the joint loss.

Notation (the brief's section 2.2): tokens x_1..x_T; the full model F gives the last-layer hidden
state h_t (before the final norm N); the shared head gives p(x_{t+1} | x_<=t) = softmax(W_o N(h_t)).
The module fuses u_t = W_in [h_t ; E(x_{t+1})] + b_in, runs L_r causal blocks over u, and predicts the
token after next, q(x_{t+2} | x_<=t+1) = softmax(W_o N(r_t)), through the same norm and head.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from paperlab.recyclegpt.cache import KVCache
from paperlab.recyclegpt.config import TinyGPTConfig


class Rope(nn.Module):
    """Rotary position embedding (RoPE): rotate each pair (x_i, x_{i+Dh/2}) by angle pos * 10000^{-2i/Dh}.

    Relative by construction, so decoding past the training context stays defined (pitfall 10).
    """

    def __init__(self, head_dim: int, max_len: int) -> None:
        super().__init__()
        inv_freq = 10000.0 ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv_freq)  # (max_len, Dh/2)
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)

    def forward(self, x: torch.Tensor, start: int) -> torch.Tensor:
        """x: (B, H, q, Dh) at positions start..start+q-1."""
        q, half = x.shape[2], x.shape[3] // 2
        cos, sin = self.cos[start : start + q], self.sin[start : start + q]
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


class Block(nn.Module):
    """Pre-LN decoder block: x + Attn(LN(x)), then x + MLP(LN(x)); causal, optionally cached."""

    def __init__(self, cfg: TinyGPTConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.n_heads = cfg.n_heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(
        self, x: torch.Tensor, rope: Rope, start: int, cache: KVCache | None, layer: int
    ) -> torch.Tensor:
        b, q, d = x.shape
        qkv = self.qkv(self.ln1(x)).view(b, q, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        qh, kh, vh = rope(qkv[0], start), rope(qkv[1], start), qkv[2]
        if cache is not None:
            kh, vh = cache.append(layer, kh, vh)
        if q == 1:  # one new query sees every cached key: no mask
            att = F.scaled_dot_product_attention(qh, kh, vh)
        elif kh.shape[2] == q:  # no history: the ordinary causal mask
            att = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True)
        else:  # q new queries at positions start..start+q-1 over start+q keys
            mask = torch.ones(q, kh.shape[2], dtype=torch.bool, device=x.device).tril(diagonal=start)
            att = F.scaled_dot_product_attention(qh, kh, vh, attn_mask=mask)
        x = x + self.proj(att.transpose(1, 2).reshape(b, q, d))
        return x + self.mlp(self.ln2(x))


def _init_weights(module: nn.Module, n_layers: int) -> None:
    """GPT-2 initialisation: N(0, 0.02), residual output projections scaled by 1/sqrt(2 L)."""
    for name, p in module.named_parameters():
        if p.dim() >= 2:
            std = 0.02 / math.sqrt(2 * n_layers) if name.endswith(("proj.weight", "mlp.2.weight")) else 0.02
            nn.init.normal_(p, 0.0, std)
        elif name.endswith("bias"):
            nn.init.zeros_(p)


def _check_tokens(idx: torch.Tensor, vocab_size: int, name: str) -> None:
    if not isinstance(idx, torch.Tensor) or idx.dtype != torch.long or idx.dim() != 2:
        raise TypeError(f"{name} must be a 2-D int64 tensor (batch, length)")
    if idx.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one token")


class TinyGPT(nn.Module):
    """The full model F: token embedding E, L blocks, final norm N, head W_o (tied to E by default)."""

    def __init__(self, cfg: TinyGPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.rope = Rope(cfg.d_model // cfg.n_heads, cfg.max_len)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        _init_weights(self, cfg.n_layers)
        if cfg.tie_head:
            self.head.weight = self.tok_emb.weight

    def new_cache(self, prompt: torch.Tensor | None = None) -> KVCache:
        return KVCache(self.cfg.n_layers, self.cfg.max_len)

    def forward(
        self, idx: torch.Tensor, cache: KVCache | None = None, last_only: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """idx (B, q) -> (logits (B, q or 1, V), hidden h (B, q, d) before the final norm).

        With ``cache`` the q tokens sit at positions cache.length.. and their K/V are appended.
        """
        _check_tokens(idx, self.cfg.vocab_size, "idx")
        start = cache.length if cache is not None else 0
        x = self.tok_emb(idx)
        for i, block in enumerate(self.blocks):
            x = block(x, self.rope, start, cache, i)
        logits = self.head(self.ln_f(x[:, -1:] if last_only else x))  # p = softmax(W_o N(h))
        return logits, x


class RecyclableModule(nn.Module):
    """R: u_t = W_in [h_t ; E(x_{t+1})] + b_in, then L_r causal blocks, r_t = R(u_1..u_t)_t.

    The embedding E belongs to the full model; it is held by reference (not registered), so the
    module's own parameters are W_in, b_in and its blocks.
    """

    def __init__(self, cfg: TinyGPTConfig, embed: nn.Embedding) -> None:
        super().__init__()
        self.cfg = cfg
        self._embed = (embed,)  # a tuple hides it from parameters(): shared, owned by F
        self.w_in = nn.Linear(2 * cfg.d_model, cfg.d_model)
        self.rope = Rope(cfg.d_model // cfg.n_heads, cfg.max_len)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.rec_layers))
        _init_weights(self, cfg.rec_layers)

    def new_cache(self, prompt: torch.Tensor | None = None) -> KVCache:
        return KVCache(self.cfg.rec_layers, self.cfg.max_len)

    def fuse(
        self, prev_hidden: torch.Tensor, next_tok: torch.Tensor, use_embedding: bool = True
    ) -> torch.Tensor:
        """u = W_in [h ; E(x_next)] + b_in, shapes (B, q, d), (B, q) -> (B, q, d).

        ``use_embedding=False`` zeroes E(x_next): a Medusa-like head that sees h_t only (ablation R4).
        """
        emb = self._embed[0](next_tok)
        if not use_embedding:
            emb = torch.zeros_like(emb)
        return self.w_in(torch.cat((prev_hidden, emb), dim=-1))

    def forward(
        self,
        prev_hidden: torch.Tensor,
        next_tok: torch.Tensor,
        cache: KVCache | None = None,
        use_embedding: bool = True,
    ) -> torch.Tensor:
        """prev_hidden (B, q, d) = h_t.., next_tok (B, q) = x_{t+1}.. -> r (B, q, d), before the shared norm."""
        if prev_hidden.shape[:2] != next_tok.shape:
            raise ValueError(
                f"prev_hidden {tuple(prev_hidden.shape)} and next_tok {tuple(next_tok.shape)} must share (batch, length)"
            )
        start = cache.length if cache is not None else 0
        x = self.fuse(prev_hidden, next_tok, use_embedding)
        for i, block in enumerate(self.blocks):
            x = block(x, self.rope, start, cache, i)
        return x


class RecycleGPT(nn.Module):
    """The full model ``base`` plus the module ``rec``; both read out through ``base.ln_f`` and ``base.head``."""

    def __init__(self, cfg: TinyGPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.base = TinyGPT(cfg)
        self.rec = RecyclableModule(cfg, self.base.tok_emb)

    @property
    def head(self) -> nn.Linear:
        return self.base.head

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """The shared readout softmax argument W_o N(hidden), for h or r: (..., d) -> (..., V)."""
        return self.base.head(self.base.ln_f(hidden))

    def losses(
        self, batch: torch.Tensor, lambda_rec: float = 1.0, use_embedding: bool = True
    ) -> dict[str, torch.Tensor]:
        """Teacher-forced losses on batch (B, T), T >= 3.

        L_lm  = -mean_{t=1..T-1} log p(x_{t+1} | x_<=t)
        L_rec = -mean_{t=1..T-2} log q(x_{t+2} | h_t, x_{t+1})
        total = L_lm + lambda * L_rec   (lambda = 0 skips the module: the base trained alone)
        """
        _check_tokens(batch, self.cfg.vocab_size, "batch")
        if batch.shape[1] < 3:
            raise ValueError(f"batch must have length >= 3 for the recycle loss, got {batch.shape[1]}")
        if lambda_rec < 0:
            raise ValueError(f"lambda_rec must be >= 0, got {lambda_rec}")
        v = self.cfg.vocab_size
        logits, h = self.base(batch)
        lm = F.cross_entropy(logits[:, :-1].reshape(-1, v), batch[:, 1:].reshape(-1))
        if lambda_rec == 0:
            rec = torch.zeros((), dtype=lm.dtype)
            return {"lm": lm, "rec": rec, "total": lm}
        r = self.rec(h[:, :-2], batch[:, 1:-1], use_embedding=use_embedding)  # u_t = [h_t ; E(x_{t+1})]
        rec = F.cross_entropy(self.logits(r).reshape(-1, v), batch[:, 2:].reshape(-1))  # target x_{t+2}
        return {"lm": lm, "rec": rec, "total": lm + lambda_rec * rec}

    def freeze_base(self) -> None:
        """Adapt a trained model: only R (W_in, b_in, its blocks) keeps learning; E, F, N and W_o are frozen."""
        for p in self.base.parameters():
            p.requires_grad_(False)


def n_params(module: nn.Module) -> int:
    """Number of distinct parameters (tied weights counted once)."""
    return sum(p.numel() for p in {id(p): p for p in module.parameters()}.values())
