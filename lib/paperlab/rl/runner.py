"""Run one agent recipe over several seeds and summarise the runs as a results table (mean ± std over seeds)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from paperlab.core import fmt, seed_everything
from paperlab.rl.envs import make_env
from paperlab.rl.loop import History, LoopConfig, train
from paperlab.rl.stats import steps_to_threshold

_JOB: tuple | None = None  # the recipe a forked worker runs (set before the pool forks; closures need no pickling)


def _run_one(seed: int) -> History:
    build_agent, env_id, cfg, env_kwargs, callbacks = _JOB
    seed_everything(int(seed))
    env = make_env(env_id, seed, **(env_kwargs or {}))
    eval_env = make_env(env_id, seed + 10_000, **(env_kwargs or {}))
    agent = build_agent(env, int(seed))
    return train(agent, env, cfg, int(seed), eval_env=eval_env, callbacks=callbacks(seed) if callbacks else ())


def run_seeds(
    build_agent: Callable[[Any, int], Any],
    env_id: str,
    cfg: LoopConfig,
    seeds: Sequence[int],
    env_kwargs: dict | None = None,
    callbacks: Callable[[int], Sequence[Any]] | None = None,
    workers: int = 1,
) -> list[History]:
    """For each seed: seed everything, build a training and a separate evaluation env, build the agent
    with ``build_agent(env, seed)`` and :func:`~paperlab.rl.loop.train` it. Returns one History per seed,
    in the order of ``seeds``.

    ``callbacks(seed)`` may return per-run callbacks. ``workers > 1`` runs seeds in that many forked processes
    (Linux ``fork``: ``build_agent`` may be a closure); every run is seeded on its own, so the Histories are
    identical to a serial run. Callbacks then run in the workers: read results from the Histories.
    """
    global _JOB
    if not seeds:
        raise ValueError("seeds must not be empty")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    _JOB = (build_agent, env_id, cfg, env_kwargs, callbacks)
    try:
        if workers == 1 or len(seeds) == 1:
            return [_run_one(int(s)) for s in seeds]
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(workers, len(seeds)), maxtasksperchild=1) as pool:
            return pool.map(_run_one, [int(s) for s in seeds], chunksize=1)
    finally:
        _JOB = None


def final_scores(histories: Sequence[History], last: int = 3) -> np.ndarray:
    """Per run, the mean return over every evaluation episode of the last ``last`` checkpoints: ``[n_runs]``."""
    if isinstance(last, bool) or not isinstance(last, int) or last < 1:
        raise ValueError(f"last must be a positive int, got {last!r}")
    return np.array([float(np.mean(np.concatenate(h.eval_returns[-last:]))) for h in histories])


def curve_scores(histories: Sequence[History]) -> np.ndarray:
    """Per run, the mean evaluation return over all checkpoints (area under the learning curve / its length)."""
    return np.array([float(np.mean(h.eval_mean)) for h in histories])


def censored_steps(steps: Sequence[int | None], censor: float) -> np.ndarray:
    """Steps-to-threshold with each miss (``None``) counted as ``censor`` (e.g. total steps + one evaluation)."""
    return np.array([censor if s is None else s for s in steps], dtype=float)


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
