"""Why recycling saves time, as arithmetic: S = m / (kappa_m + (m - 1) rho), and a per-call timing probe.

T_F(q): one full-model call that ingests q new tokens; T_R(q): one module call over q positions.
kappa_q = T_F(q) / T_F(1) (1 when the call is memory- or dispatch-bound), rho = T_R(2) / T_F(1).
"""

from __future__ import annotations

import statistics
import time

import torch

from paperlab.recyclegpt.model import RecycleGPT


def predicted_speedup(kappa: float, rho: float, m: int = 2) -> float:
    """S_m = m / (kappa_m + (m - 1) rho): tokens per cycle over the cycle's cost in units of T_F(1).

    Bounded above by 1/rho as m grows (with kappa_m = 1).
    """
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"m must be an int >= 1, got {m!r}")
    if not kappa > 0:
        raise ValueError(f"kappa must be > 0, got {kappa}")
    if not rho >= 0:
        raise ValueError(f"rho must be >= 0, got {rho}")
    return m / (kappa + (m - 1) * rho)


def rho_memory_bound(p_rec: float, p_full: float, p_head: float) -> float:
    """rho ~ (P_R + P_head) / (P_F + P_head) when a call costs the bytes it reads.

    The shared head is read on every step, module steps included, so a big vocabulary raises rho.
    ``p_full`` excludes the head.
    """
    for name, value in (("p_rec", p_rec), ("p_full", p_full), ("p_head", p_head)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if p_full + p_head <= 0:
        raise ValueError("p_full + p_head must be > 0")
    return (p_rec + p_head) / (p_full + p_head)


def bytes_per_token(model: RecycleGPT, context: int, dtype: torch.dtype = torch.float32) -> dict[str, int]:
    """Bytes one batch-1 full-model decoding step reads at a given context length.

    weights: every block's parameters and the final norm; head: W_o (V x d); kv: the cache,
    2 (K, V) x L x context x d. The embedding lookup reads a single row and is ignored.
    """
    if context < 0:
        raise ValueError(f"context must be >= 0, got {context}")
    size = torch.tensor([], dtype=dtype).element_size()
    cfg = model.cfg
    blocks = sum(p.numel() for p in model.base.blocks.parameters()) + sum(
        p.numel() for p in model.base.ln_f.parameters()
    )
    return {
        "weights": blocks * size,
        "kv": 2 * cfg.n_layers * context * cfg.d_model * size,
        "head": cfg.vocab_size * cfg.d_model * size,
    }


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


@torch.inference_mode()
def measure_call_costs(
    model: RecycleGPT, q_values=(1, 2), n_rep: int = 20, batch: int = 1, context: int = 64, seed: int = 0
) -> dict:
    """Time T_F(q) and T_R(q) (each call includes the head on its last position, as in decoding).

    Calls are interleaved (F q=1, R q=1, F q=2, ...) and repeated ``n_rep`` times after a warm-up, with
    the caches rolled back to ``context`` positions after each call; both the minimum and the median
    are returned, since wall clocks on a shared machine are noisy (pitfall 11).

    Returns:
        {"min": {"F": {q: s}, "R": {q: s}}, "median": {...}, "kappa": {q: T_F(q)/T_F(1)} (median),
         "rho": T_R(2)/T_F(1) (median), "kappa_min", "rho_min"}.
    """
    q_values = tuple(sorted(set(int(q) for q in q_values) | {1, 2}))
    if n_rep < 1:
        raise ValueError(f"n_rep must be >= 1, got {n_rep}")
    if context < 1 or context + max(q_values) > model.cfg.max_len:
        raise ValueError(f"context must be in [1, max_len - max(q)], got {context}")
    gen = torch.Generator().manual_seed(seed)
    v, d = model.cfg.vocab_size, model.cfg.d_model
    ctx = torch.randint(0, v, (batch, context), generator=gen)
    fcache, rcache = model.base.new_cache(), model.rec.new_cache(ctx)
    _, h = model.base(ctx, fcache)
    model.rec(h[:, :-1], ctx[:, 1:], rcache)
    f_len, r_len = fcache.length, rcache.length
    toks = {q: torch.randint(0, v, (batch, q), generator=gen) for q in q_values}
    hid = {q: torch.randn(batch, q, d, generator=gen).to(h.dtype) for q in q_values}

    def call_f(q):
        model.base(toks[q], fcache, last_only=True)
        fcache.truncate(f_len)

    def call_r(q):
        r = model.rec(hid[q], toks[q], rcache)
        model.logits(r[:, -1])
        rcache.truncate(r_len)

    times = {"F": {q: [] for q in q_values}, "R": {q: [] for q in q_values}}
    for rep in range(n_rep + 2):  # two warm-up rounds
        for q in q_values:
            tf, tr = _time(lambda q=q: call_f(q)), _time(lambda q=q: call_r(q))
            if rep >= 2:
                times["F"][q].append(tf)
                times["R"][q].append(tr)
    out = {
        stat: {k: {q: fn(ts) for q, ts in per.items()} for k, per in times.items()}
        for stat, fn in (("min", min), ("median", statistics.median))
    }
    med, mn = out["median"], out["min"]
    out["kappa"] = {q: med["F"][q] / med["F"][1] for q in q_values}
    out["rho"] = med["R"][2] / med["F"][1]
    out["kappa_min"] = {q: mn["F"][q] / mn["F"][1] for q in q_values}
    out["rho_min"] = mn["R"][2] / mn["F"][1]
    return out


def measure_speedup(
    model: RecycleGPT, n_new: int, n_rep: int = 5, m: int = 2, batch: int = 1, seed: int = 0
) -> dict:
    """Median tokens/s of standard and alternating greedy decoding, interleaved, and S = their ratio.

    Uses a random prompt of 8 tokens; the prefill is excluded (DecodeStats.seconds).
    """
    from paperlab.recyclegpt.decode import generate_alternating, generate_standard

    if n_rep < 1:
        raise ValueError(f"n_rep must be >= 1, got {n_rep}")
    gen = torch.Generator().manual_seed(seed)
    prompt = torch.randint(0, model.cfg.vocab_size, (batch, 8), generator=gen)
    std, alt = [], []
    for rep in range(n_rep + 1):  # one warm-up round
        s = generate_standard(model, prompt, n_new)[1].seconds
        a = generate_alternating(model, prompt, n_new, m=m)[1].seconds
        if rep:
            std.append(s)
            alt.append(a)
    t_std, t_alt = statistics.median(std), statistics.median(alt)
    return {
        "std_tok_s": batch * n_new / t_std,
        "alt_tok_s": batch * n_new / t_alt,
        "speedup": t_std / t_alt,
        "speedup_min": min(std) / min(alt),
    }
