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


def timing_rounds(timers: dict, repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run every timer once per round, ``repeats`` rounds after ``warmup`` untimed ones, rotating the order.

    Each timer is a zero-argument callable that *returns* the seconds it measured (so a decoder can
    exclude its prefill). Interleaving puts all contenders under the same machine load, so per-round
    ratios are paired (the same scheme as :func:`paperlab.core.estimates.time_interleaved`).
    """
    if not timers or not all(callable(f) for f in timers.values()):
        raise TypeError("timers must map names to zero-argument callables returning seconds")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    names = list(timers)
    out: dict[str, list[float]] = {name: [] for name in names}
    for rnd in range(warmup + repeats):
        shift = rnd % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = float(timers[name]())
            if rnd >= warmup:
                out[name].append(seconds)
    return out


def decode_timer(model: RecycleGPT, prompt: torch.Tensor, n_new: int, m: int | None = None):
    """A timer for :func:`timing_rounds`: greedy generation of ``n_new`` tokens, prefill excluded.

    ``m=None`` decodes in standard mode, otherwise alternating with cycle length ``m``.
    """
    from paperlab.recyclegpt.decode import generate_alternating, generate_standard

    if m is None:
        return lambda: generate_standard(model, prompt, n_new)[1].seconds
    return lambda: generate_alternating(model, prompt, n_new, m=m)[1].seconds


def random_prompt(model: RecycleGPT, batch: int = 1, length: int = 8, seed: int = 0) -> torch.Tensor:
    """A seeded random prompt (batch, length) of token ids."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, model.cfg.vocab_size, (batch, length), generator=gen)


@torch.inference_mode()
def call_timers(
    model: RecycleGPT, q_values=(1, 2), batch: int = 1, context: int = 64, seed: int = 0, calls: int = 1
) -> dict[str, object]:
    """Timers "F<q>" and "R<q>" for :func:`timing_rounds`: one full-model / module call with q new tokens.

    Each call includes the head on its last position, as in decoding; the caches hold ``context``
    positions and are rolled back after every call. A timer returns the median of ``calls`` calls.
    """
    q_values = tuple(sorted(set(int(q) for q in q_values) | {1, 2}))
    if context < 1 or context + max(q_values) > model.cfg.max_len:
        raise ValueError(f"context must be in [1, max_len - max(q)], got {context}")
    if calls < 1:
        raise ValueError(f"calls must be >= 1, got {calls}")
    gen = torch.Generator().manual_seed(seed)
    v, d = model.cfg.vocab_size, model.cfg.d_model
    ctx = torch.randint(0, v, (batch, context), generator=gen)
    fcache, rcache = model.base.new_cache(), model.rec.new_cache(ctx)
    _, h = model.base(ctx, fcache)
    model.rec(h[:, :-1], ctx[:, 1:], rcache)
    f_len, r_len = fcache.length, rcache.length
    toks = {q: torch.randint(0, v, (batch, q), generator=gen) for q in q_values}
    hid = {q: torch.randn(batch, q, d, generator=gen).to(h.dtype) for q in q_values}

    @torch.inference_mode()
    def call_f(q):
        model.base(toks[q], fcache, last_only=True)
        fcache.truncate(f_len)

    @torch.inference_mode()
    def call_r(q):
        r = model.rec(hid[q], toks[q], rcache)
        model.logits(r[:, -1])
        rcache.truncate(r_len)

    def timer(fn, q):
        return lambda: statistics.median(_time(lambda: fn(q)) for _ in range(calls))

    timers = {}
    for q in q_values:
        timers[f"F{q}"] = timer(call_f, q)
        timers[f"R{q}"] = timer(call_r, q)
    return timers


def measure_call_costs(
    model: RecycleGPT, q_values=(1, 2), n_rep: int = 20, batch: int = 1, context: int = 64, seed: int = 0
) -> dict:
    """Time T_F(q) and T_R(q), interleaved (F q=1, R q=1, F q=2, ...), ``n_rep`` rounds after two warm-ups.

    Both the minimum and the median over rounds are returned, since wall clocks on a shared machine
    are noisy (pitfall 11), and every round ("rounds": {"F": {q: [s, ...]}, "R": ...}) so that per-round
    ratios such as kappa_2 = T_F(2)/T_F(1) can be given an interval.

    Returns:
        {"min": {"F": {q: s}, "R": {q: s}}, "median": {...}, "rounds": {...}, "kappa": {q: T_F(q)/T_F(1)}
         (median), "rho": T_R(2)/T_F(1) (median), "kappa_min", "rho_min"}.
    """
    if n_rep < 1:
        raise ValueError(f"n_rep must be >= 1, got {n_rep}")
    timers = call_timers(model, q_values, batch, context, seed)
    q_values = sorted(int(k[1:]) for k in timers if k[0] == "F")
    ordered = {f"{k}{q}": timers[f"{k}{q}"] for q in q_values for k in ("F", "R")}
    raw = _rounds_no_rotation(ordered, n_rep, warmup=2)
    times = {k: {q: raw[f"{k}{q}"] for q in q_values} for k in ("F", "R")}
    out = {
        stat: {k: {q: fn(ts) for q, ts in per.items()} for k, per in times.items()}
        for stat, fn in (("min", min), ("median", statistics.median))
    }
    out["rounds"] = times
    med, mn = out["median"], out["min"]
    out["kappa"] = {q: med["F"][q] / med["F"][1] for q in q_values}
    out["rho"] = med["R"][2] / med["F"][1]
    out["kappa_min"] = {q: mn["F"][q] / mn["F"][1] for q in q_values}
    out["rho_min"] = mn["R"][2] / mn["F"][1]
    return out


def _rounds_no_rotation(timers: dict, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Like :func:`timing_rounds` but always in the given order (F q=1, R q=1, F q=2, ...)."""
    out: dict[str, list[float]] = {name: [] for name in timers}
    for rnd in range(warmup + repeats):
        for name, fn in timers.items():
            seconds = fn()
            if rnd >= warmup:
                out[name].append(seconds)
    return out


def measure_speedup(
    model: RecycleGPT, n_new: int, n_rep: int = 5, m: int = 2, batch: int = 1, seed: int = 0
) -> dict:
    """Standard against alternating greedy decoding, interleaved, ``n_rep`` rounds after one warm-up.

    Uses a random prompt of 8 tokens; the prefill is excluded (DecodeStats.seconds).

    Returns {"standard": [s, ...], "alternating": [s, ...] (every round), "std_tok_s", "alt_tok_s"
    (medians), "speedup": median standard / median alternating, "speedup_min": min / min}.
    """
    if n_rep < 1:
        raise ValueError(f"n_rep must be >= 1, got {n_rep}")
    prompt = random_prompt(model, batch, seed=seed)
    rounds = timing_rounds(
        {"standard": decode_timer(model, prompt, n_new), "alternating": decode_timer(model, prompt, n_new, m)},
        n_rep,
    )
    std, alt = rounds["standard"], rounds["alternating"]
    t_std, t_alt = statistics.median(std), statistics.median(alt)
    return {
        "standard": std,
        "alternating": alt,
        "std_tok_s": batch * n_new / t_std,
        "alt_tok_s": batch * n_new / t_alt,
        "speedup": t_std / t_alt,
        "speedup_min": min(std) / min(alt),
    }
