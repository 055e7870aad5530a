"""Standard and alternating (recycled) decoding with call counts and wall time.

Call-count convention: the prefill is one full call; standard decoding of N new tokens makes N full
calls; alternating decoding with m tokens per cycle makes ceil(N/m) full calls and N - ceil(N/m)
module calls (verify=False). Times exclude the prefill.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from paperlab.recyclegpt.model import RecycleGPT


@dataclass
class DecodeStats:
    """What one generation cost.

    Attributes:
        new_tokens: tokens produced. full_calls: calls of F (prefill included). rec_calls: calls of R
        (R's prompt prefill excluded). seconds: wall time after the prefill. accepted: with verify=True,
        recycled tokens the full model confirmed. nll: with ``targets``, -log prob of each target (B, N).
    """

    new_tokens: int
    full_calls: int = 0
    rec_calls: int = 0
    seconds: float = 0.0
    accepted: int | None = None
    nll: torch.Tensor | None = field(default=None, repr=False)

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else float("nan")


def _check(model: RecycleGPT, prompt: torch.Tensor, n_new: int, temperature: float, targets) -> torch.Tensor:
    if not isinstance(prompt, torch.Tensor) or prompt.dtype != torch.long:
        raise TypeError("prompt must be an int64 tensor of token ids")
    if prompt.dim() == 1:
        prompt = prompt[None]
    if prompt.dim() != 2 or prompt.shape[1] == 0:
        raise ValueError("prompt must hold at least one token (shape (P,) or (B, P))")
    v = model.cfg.vocab_size
    if int(prompt.min()) < 0 or int(prompt.max()) >= v:
        raise ValueError(f"prompt has token ids outside the vocabulary [0, {v})")
    if isinstance(n_new, bool) or not isinstance(n_new, int) or n_new < 1:
        raise ValueError(f"n_new must be an int >= 1, got {n_new!r}")
    if prompt.shape[1] + n_new > model.cfg.max_len:
        raise ValueError(
            f"prompt length {prompt.shape[1]} + n_new {n_new} exceeds the model's max_len {model.cfg.max_len}"
        )
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if targets is not None and targets.shape != (prompt.shape[0], n_new):
        raise ValueError(f"targets must have shape (batch, n_new) = {(prompt.shape[0], n_new)}")
    return prompt


class _Picker:
    """Chooses the next token: argmax, a temperature sample, or (teacher forcing) the given target."""

    def __init__(self, temperature: float, seed: int, targets: torch.Tensor | None) -> None:
        self.temperature = temperature
        self.gen = torch.Generator().manual_seed(seed)
        self.targets = targets
        self.nll: list[torch.Tensor] = []

    def __call__(self, logits: torch.Tensor, i: int) -> torch.Tensor:
        """logits (B, V) for new token number i -> token ids (B, 1)."""
        if self.targets is not None:
            tok = self.targets[:, i : i + 1]
            self.nll.append(-torch.log_softmax(logits.double(), -1).gather(1, tok)[:, 0])
            return tok
        if self.temperature == 0:
            return logits.argmax(-1, keepdim=True)
        probs = torch.softmax(logits / self.temperature, dim=-1)
        return torch.multinomial(probs, 1, generator=self.gen)

    def stack(self) -> torch.Tensor | None:
        return torch.stack(self.nll, dim=1) if self.nll else None


@torch.inference_mode()
def generate_standard(
    model: RecycleGPT,
    prompt: torch.Tensor,
    n_new: int,
    temperature: float = 0.0,
    seed: int = 0,
    targets: torch.Tensor | None = None,
) -> tuple[torch.Tensor, DecodeStats]:
    """One full-model call per token. prompt (P,) or (B, P) -> (new tokens (B, n_new), stats).

    ``targets`` (B, n_new) switches to teacher forcing: the targets are fed back and their NLL recorded.
    """
    prompt = _check(model, prompt, n_new, temperature, targets)
    pick = _Picker(temperature, seed, targets)
    base = model.base
    cache = base.new_cache()
    logits, _ = base(prompt, cache, last_only=True)  # prefill: 1 full call
    out = [pick(logits[:, -1], 0)]
    t0 = time.perf_counter()
    for i in range(1, n_new):
        logits, _ = base(out[-1], cache, last_only=True)
        out.append(pick(logits[:, -1], i))
    seconds = time.perf_counter() - t0
    stats = DecodeStats(n_new, full_calls=n_new, seconds=seconds, nll=pick.stack())
    return torch.cat(out, dim=1), stats


@torch.inference_mode()
def generate_alternating(
    model: RecycleGPT,
    prompt: torch.Tensor,
    n_new: int,
    m: int = 2,
    verify: bool = False,
    temperature: float = 0.0,
    seed: int = 0,
    targets: torch.Tensor | None = None,
) -> tuple[torch.Tensor, DecodeStats]:
    """Each cycle: one full call that ingests m tokens, then m - 1 module calls.

    Cache bookkeeping (brief section 2.2.4): the F-step feeds F the last full-model token *and* the
    recycled tokens; the first R-step of a cycle feeds R every position it lacks, built from true h.
    For m > 2 later R-steps use the module's own output r in place of h; those R-cache entries are
    rolled back (truncate) and rebuilt from true h once F has seen the positions.

    verify=True (greedy only) checks each recycled token against the full model's own prediction in the
    next F-step; a mismatch replaces it and rolls F's cache back, so the output equals standard greedy.
    """
    prompt = _check(model, prompt, n_new, temperature, targets)
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"m must be an int >= 1, got {m!r}")
    if verify and (temperature != 0 or targets is not None):
        raise ValueError("verify=True needs greedy decoding: temperature must be 0 and targets None")
    if verify and prompt.shape[0] != 1:
        raise ValueError("verify=True supports batch size 1 only (each sequence would roll back differently)")
    pick = _Picker(temperature, seed, targets)
    base, rec = model.base, model.rec
    fcache, rcache = base.new_cache(), rec.new_cache(prompt)
    logits, h = base(prompt, fcache, last_only=True)  # prefill: 1 full call
    full_calls, rec_calls, accepted = 1, 0, 0
    if prompt.shape[1] > 1:  # R's prefill: u_1..u_{P-1}
        rec(h[:, :-1], prompt[:, 1:], rcache)
    out = [pick(logits[:, -1], 0)]
    pending_h, pending_tok = h[:, -1:], out[-1]  # (h_t, x_{t+1}) pairs R has not ingested
    t0 = time.perf_counter()
    while len(out) < n_new:
        trusted = rcache.length
        last_full = out[-1]
        proposals: list[torch.Tensor] = []
        h_in, tok_in = pending_h, pending_tok
        n_rec = min(m - 1, n_new - len(out))  # never propose past n_new (keeps caches within max_len)
        for _ in range(n_rec):  # R-steps
            r = rec(h_in, tok_in, rcache)
            rec_calls += 1
            tok = pick(model.logits(r[:, -1]), len(out) + len(proposals))
            proposals.append(tok)
            h_in, tok_in = r[:, -1:], tok  # m > 2: the module's own state stands in for h
        rcache.truncate(trusted + pending_h.shape[1])  # keep only entries built from true h
        if not verify:
            out.extend(proposals)
            if len(out) >= n_new:
                break
        fed = torch.cat([last_full, *proposals], dim=1)
        f_len = fcache.length
        logits, h = base(fed, fcache, last_only=not verify)  # F-step: m tokens in one call
        full_calls += 1
        if not verify:
            out.append(pick(logits[:, -1], len(out)))
            pending_h, pending_tok = h, torch.cat([*proposals, out[-1]], dim=1)
            continue
        guesses = logits.argmax(-1)  # (1, m): F's own choice after each fed token
        k = 0
        while k < len(proposals) and int(guesses[0, k]) == int(proposals[k][0, 0]):
            k += 1
        accepted += k
        out.extend(proposals[:k])
        out.append(guesses[:, k : k + 1])  # the correction, or the bonus token when all passed
        fcache.truncate(f_len + k + 1)  # roll back rejected positions
        pending_h, pending_tok = h[:, : k + 1], torch.cat([*proposals[:k], out[-1]], dim=1)
    seconds = time.perf_counter() - t0
    tokens = torch.cat(out, dim=1)[:, :n_new]
    stats = DecodeStats(
        n_new,
        full_calls=full_calls,
        rec_calls=rec_calls,
        seconds=seconds,
        accepted=accepted if verify else None,
        nll=pick.stack(),
    )
    if stats.nll is not None:
        stats.nll = stats.nll[:, :n_new]
    return tokens, stats
