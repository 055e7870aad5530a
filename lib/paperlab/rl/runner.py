"""Run one agent recipe over several seeds and summarise the runs as a results table (mean ± std over seeds)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from paperlab.core import fmt, seed_everything
from paperlab.rl.envs import make_env
from paperlab.rl.loop import History, LoopConfig, train
from paperlab.rl.stats import steps_to_threshold


def run_seeds(
    build_agent: Callable[[Any, int], Any],
    env_id: str,
    cfg: LoopConfig,
    seeds: Sequence[int],
    env_kwargs: dict | None = None,
    callbacks: Callable[[int], Sequence[Any]] | None = None,
) -> list[History]:
    """For each seed: seed everything, build a training and a separate evaluation env, build the agent
    with ``build_agent(env, seed)`` and :func:`~paperlab.rl.loop.train` it. Returns one History per seed.

    ``callbacks(seed)`` may return per-run callbacks.
    """
    if not seeds:
        raise ValueError("seeds must not be empty")
    out = []
    for seed in seeds:
        seed_everything(int(seed))
        env = make_env(env_id, seed, **(env_kwargs or {}))
        eval_env = make_env(env_id, seed + 10_000, **(env_kwargs or {}))
        agent = build_agent(env, int(seed))
        out.append(
            train(
                agent, env, cfg, int(seed), eval_env=eval_env, callbacks=callbacks(seed) if callbacks else ()
            )
        )
    return out


def threshold_steps(histories: Sequence[History], threshold: float, patience: int = 3) -> list[int | None]:
    """Steps-to-threshold of each run (``None`` where the threshold was never held for ``patience`` evals)."""
    return [steps_to_threshold(h.eval_steps, h.eval_mean, threshold, patience) for h in histories]


def median_steps(steps: Sequence[int | None], censor: float = float("inf")) -> float:
    """Median steps-to-threshold, a miss counting as ``censor`` (default +inf, so a majority of misses gives inf;
    pass e.g. ``total_steps + eval_every`` for a finite, conservative value)."""
    vals = np.array([censor if s is None else s for s in steps], dtype=float)
    return float(np.median(vals))


def results_table(
    runs: dict[str, Sequence[History]], threshold: float, patience: int = 3, last: int = 3
) -> list[dict]:
    """One row per method: final greedy return (mean of the last ``last`` evaluations, mean ± std over
    seeds), steps-to-threshold per seed and their median, and how many seeds reached it."""
    rows = []
    for name, hs in runs.items():
        steps = threshold_steps(hs, threshold, patience)
        finals = [float(np.mean(h.eval_mean[-last:])) for h in hs]
        rows.append(
            {
                "method": name,
                "final return": fmt.pm(finals),
                "steps to threshold": ", ".join("miss" if s is None else str(s) for s in steps),
                "median": fmt.r(median_steps(steps), 4),
                "reached": f"{sum(s is not None for s in steps)}/{len(steps)}",
            }
        )
    return rows
