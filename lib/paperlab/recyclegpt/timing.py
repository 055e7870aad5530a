"""The timing experiments behind the scorecard, as distributions of interleaved per-round values.

Every function runs its contenders once per round (order rotating, one warm-up round) and returns every
round, plus :class:`~paperlab.core.estimates.Estimate` summaries: the median and the 90 % interval of the
per-round ratios (``VERDICTS.md`` section 4). Times are wall-clock seconds of greedy decoding at the
given batch, prefill excluded.
"""

from __future__ import annotations

from paperlab.core.estimates import repeats_interval, speedup
from paperlab.recyclegpt.costmodel import (
    call_timers,
    decode_timer,
    predicted_speedup,
    random_prompt,
    timing_rounds,
)
from paperlab.recyclegpt.model import RecycleGPT


def _ratios(num: list[float], den: list[float]) -> list[float]:
    return [a / b for a, b in zip(num, den, strict=True)]


def speedup_and_costmodel(
    model: RecycleGPT, n_new: int, repeats: int, probe_calls: int = 5, context: int = 64, seed: int = 0
) -> dict:
    """R1 and R1b: standard vs alternating (m=2) decoding, and the cost model's prediction, per round.

    Each round times both decoders and T_F(1), T_F(2), T_R(2) (each the median of ``probe_calls`` calls
    at ``context`` cached positions), so every round gives a measured S = t_std / t_alt and a predicted
    S = 2 / (kappa_2 + rho) under the same load.

    Returns {"rounds": every timer's seconds, "speedup": Estimate of S, "kappa2", "rho": Estimates,
    "predicted": Estimate of the predicted S, "ratio": Estimate of measured / predicted}.
    """
    prompt = random_prompt(model, seed=seed)
    calls = call_timers(model, (1, 2), context=context, seed=seed, calls=probe_calls)
    timers = {
        "standard": decode_timer(model, prompt, n_new),
        "alternating": decode_timer(model, prompt, n_new, m=2),
        **{k: calls[k] for k in ("F1", "F2", "R2")},
    }
    r = timing_rounds(timers, repeats)
    s = _ratios(r["standard"], r["alternating"])
    kappa = _ratios(r["F2"], r["F1"])
    rho = _ratios(r["R2"], r["F1"])
    pred = [predicted_speedup(k, p) for k, p in zip(kappa, rho, strict=True)]
    what = "interleaved rounds"
    return {
        "rounds": r,
        "speedup": speedup(r["standard"], r["alternating"]),
        "kappa2": repeats_interval(kappa, what=what),
        "rho": repeats_interval(rho, what=what),
        "predicted": repeats_interval(pred, what=what),
        "ratio": repeats_interval(_ratios(s, pred), what="interleaved per-round ratios measured/predicted"),
    }


def depth_and_cycle(
    models_by_depth: dict[int, RecycleGPT], model: RecycleGPT, n_new: int, repeats: int, seed: int = 0
) -> dict:
    """R5a: alternating decoding with modules of each depth L_r, and with m = 2 against m = 3.

    Returns {"rounds", "speedup_by_depth": {L_r: Estimate of t_std / t_alt}, "deeper_slower": Estimate of
    t_alt(deepest) / t_alt(shallowest), "m3_faster": Estimate of t_alt(m=2) / t_alt(m=3) (``model``),
    "speedup_m": {m: Estimate}}.
    """
    if len(models_by_depth) < 2:
        raise ValueError("models_by_depth must hold at least two module depths")
    prompt = random_prompt(model, seed=seed)
    timers = {"standard": decode_timer(model, prompt, n_new)}
    timers |= {f"L{k}": decode_timer(mod, prompt, n_new, m=2) for k, mod in models_by_depth.items()}
    timers |= {f"m{m}": decode_timer(model, prompt, n_new, m=m) for m in (2, 3)}
    r = timing_rounds(timers, repeats)
    lo, hi = min(models_by_depth), max(models_by_depth)
    return {
        "rounds": r,
        "speedup_by_depth": {k: speedup(r["standard"], r[f"L{k}"]) for k in models_by_depth},
        "speedup_m": {m: speedup(r["standard"], r[f"m{m}"]) for m in (2, 3)},
        "deeper_slower": speedup(r[f"L{hi}"], r[f"L{lo}"]),
        "m3_faster": speedup(r["m2"], r["m3"]),
    }


def batch_sweep(model: RecycleGPT, batch_sizes: tuple[int, ...], n_new: int, repeats: int, seed: int = 0) -> dict:
    """R6b: the speed-up of alternating decoding at each batch size, all batch sizes in the same rounds.

    Returns {"rounds", "speedup": {B: Estimate}, "shrinks": Estimate of S(smallest B) / S(largest B)}.
    """
    if len(batch_sizes) < 2:
        raise ValueError("batch_sizes must hold at least two sizes")
    timers = {}
    for b in batch_sizes:
        prompt = random_prompt(model, batch=b, seed=seed)
        timers[f"std{b}"] = decode_timer(model, prompt, n_new)
        timers[f"alt{b}"] = decode_timer(model, prompt, n_new, m=2)
    r = timing_rounds(timers, repeats)
    per_b = {b: _ratios(r[f"std{b}"], r[f"alt{b}"]) for b in batch_sizes}
    lo, hi = min(batch_sizes), max(batch_sizes)
    return {
        "rounds": r,
        "speedup": {b: speedup(r[f"std{b}"], r[f"alt{b}"]) for b in batch_sizes},
        "shrinks": repeats_interval(_ratios(per_b[lo], per_b[hi]), what="interleaved per-round ratios"),
    }
