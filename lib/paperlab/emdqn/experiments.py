"""Multi-seed experiments too long for a notebook cell, written to ``results/emdqn/<name>-<budget>.json``.

Run: ``python -m paperlab.emdqn.experiments [names...] [--budget lab]`` from a clean commit. Every file goes
through :func:`paperlab.core.provenance.save_result` (clean revision, seeds, wall time, versions) and holds
every run's History (every evaluation episode's return); nothing in it is hand-written. Seeds run
``cfg.workers`` at a time in forked processes (:func:`paperlab.rl.runner.run_seeds`).

Besides the learning experiments: ``parallel_speedup`` times 2 seeds run serially against the same 2 seeds in
2 processes (interleaved repeats), and ``minatar_rate`` measures DQN's and EMDQN's training step rate on
MinAtar to project the paper-budget run ``minatar`` (E12), which runs only at the paper budget.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from paperlab.core import paths, provenance
from paperlab.core.estimates import time_interleaved
from paperlab.emdqn import configs
from paperlab.emdqn.agent import make_agent
from paperlab.rl.loop import History, LoopConfig
from paperlab.rl.runner import run_seeds
from paperlab.rl.schedules import linear

PAPER = "emdqn"


def _spec(name: str, cfg: configs.EMDQNConfig) -> dict:
    """Experiment name -> env, loop, seeds and the methods to compare ({label: (method, lam, truncation)})."""
    fl = replace(cfg.loop, total_steps=cfg.frozenlake_steps)
    fl_slip = replace(fl, eval_episodes=cfg.eval_episodes_stochastic)
    tr = cfg.truncation
    both = {"DQN": ("dqn", 0.0, tr), "EMDQN": ("emdqn", cfg.lam, tr)}
    grid = dict(env_id=configs.GRID_ID, env_kwargs={}, seeds=cfg.seeds)
    fl_kw = {"map_name": "8x8", "is_slippery": False}
    specs = {
        "grid_main": dict(grid, loop=cfg.loop, methods=both),
        "grid_fast_eps": dict(grid, loop=cfg.fast_loop, methods=both),
        "grid_lambda": dict(
            grid,
            loop=cfg.loop,
            methods={"EMDQN lam=1": ("emdqn", 1.0, tr)},
        ),
        # the two other ways of writing a time-limit cut, on the schedule where the old failure was worst
        "grid_truncation": dict(
            grid,
            loop=cfg.fast_loop,
            methods={"EMDQN write": ("emdqn", cfg.lam, "write"), "EMDQN bootstrap": ("emdqn", cfg.lam, "bootstrap")},
        ),
        "frozenlake_det": dict(
            env_id=configs.FROZENLAKE_ID, env_kwargs=fl_kw, seeds=cfg.seeds, loop=fl, methods=both
        ),
        "frozenlake_slippery": dict(
            env_id=configs.FROZENLAKE_ID,
            env_kwargs={**fl_kw, "is_slippery": True},
            seeds=cfg.slippery_seeds,
            loop=fl_slip,
            methods=both,
        ),
        "minatar": dict(
            env_id=cfg.minatar_game,
            env_kwargs={},
            seeds=cfg.minatar_seeds,
            loop=minatar_loop(cfg.minatar_steps),
            methods=both,
        ),
    }
    if name not in specs:
        raise ValueError(f"name must be one of {', '.join(specs)}, got {name!r}")
    return specs[name]


NAMES = ("grid_main", "grid_fast_eps", "grid_lambda", "grid_truncation", "frozenlake_det", "frozenlake_slippery")
TIMINGS = ("parallel_speedup", "minatar_rate")


def minatar_loop(total_steps: int) -> LoopConfig:
    """MinAtar DQN settings (Young & Tian 2019): replay 100k, batch 32, learning starts 5k, target sync 1k,
    epsilon 1 -> 0.1 over 100k steps, train every step, evaluation every 50k steps at epsilon 0.05."""
    return LoopConfig(
        total_steps=total_steps,
        learning_starts=min(5_000, total_steps // 2),
        train_every=1,
        target_every=1_000,
        eval_every=max(1, min(50_000, total_steps // 2)),
        eval_episodes=10,
        eps_schedule=linear(1.0, 0.1, 100_000),
        batch_size=32,
        buffer_size=100_000,
        eval_eps=configs.EVAL_EPS,
    )


def builder(cfg: configs.EMDQNConfig, method: str, lam: float, truncation: str, hidden=None):
    def build(env, seed):
        return make_agent(
            method,
            env,
            seed,
            cfg.dqn,
            cfg.hidden if hidden is None else hidden,
            lam=lam,
            truncation=truncation,
            d=cfg.d,
            lookup=cfg.lookup,
            capacity=cfg.capacity,
        )

    return build


def run(name: str, budget: str = "lab", seeds: tuple[int, ...] | None = None, workers: int | None = None) -> Path:
    """Run experiment ``name`` for every method and seed and write ``results/emdqn/<name>-<budget>.json``.

    ``workers`` (default ``cfg.workers``) seeds run at once in forked processes; the runs do not depend on it."""
    cfg = configs.for_budget(budget)
    if workers is not None:
        cfg = replace(cfg, workers=workers)
    spec = _spec(name, cfg)
    seeds = tuple(spec["seeds"] if seeds is None else seeds)
    t0 = time.time()
    runs = {}
    for label, (method, lam, truncation) in spec["methods"].items():
        build = builder(cfg, method, lam, truncation)
        hs = run_seeds(build, spec["env_id"], spec["loop"], seeds, spec["env_kwargs"], workers=cfg.workers)
        runs[label] = [h.to_dict() for h in hs]
    payload = {
        "experiment": name,
        "paper": PAPER,
        "env_id": spec["env_id"],
        "env_kwargs": spec["env_kwargs"],
        "loop": repr(spec["loop"]),
        "evaluation": {"episodes": spec["loop"].eval_episodes, "eps": spec["loop"].eval_eps},
        "methods": {k: {"method": m, "lam": lam, "truncation": t} for k, (m, lam, t) in spec["methods"].items()},
        "workers": cfg.workers,
        "runs": runs,
    }
    return provenance.save_result(PAPER, name, budget, payload, seeds=seeds, started=t0)


def parallel_speedup(budget: str = "lab", repeats: int = 7) -> Path:
    """Seconds to train 2 seeds (DQN, grid, ``cfg.speedup_steps`` steps each) serially vs in 2 processes,
    interleaved ``repeats`` times; written to ``parallel_speedup-<budget>.json``. Run it with both CPU slots."""
    cfg = configs.for_budget(budget)
    loop = replace(cfg.loop, total_steps=cfg.speedup_steps, eval_every=cfg.speedup_steps)
    build = builder(cfg, "dqn", 0.0, cfg.truncation)
    seeds = (0, 1)
    t0 = time.time()
    out: dict[str, list] = {}

    def go(workers: int):
        out[workers] = run_seeds(build, configs.GRID_ID, loop, seeds, workers=workers)

    times = time_interleaved({"serial": lambda: go(1), "parallel": lambda: go(2)}, repeats=repeats)
    identical = [h.eval_returns for h in out[1]] == [h.eval_returns for h in out[2]]
    payload = {"experiment": "parallel_speedup", "loop": repr(loop), "seeds": list(seeds), "times_s": times,
               "identical_histories": identical, "cpu_count": os.cpu_count()}
    return provenance.save_result(PAPER, "parallel_speedup", budget, payload, seeds=seeds, started=t0)


def minatar_rate(budget: str = "lab", repeats: int = 7) -> Path:
    """Agent steps per second of DQN and EMDQN training on ``cfg.minatar_game`` (every step an update, MinAtar
    torso, batch 32), interleaved ``repeats`` times, and the projected hours of the paper-budget ``minatar`` run.
    Needs the ``minatar`` package (``make minatar``)."""
    from paperlab.core import seed_everything
    from paperlab.rl.envs import make_env
    from paperlab.rl.loop import train

    cfg = configs.for_budget(budget)
    n = cfg.minatar_rate_steps
    loop = replace(minatar_loop(n), learning_starts=32, eval_every=10 * n)
    t0 = time.time()
    contenders = {}
    for label, (method, lam, truncation) in _spec("minatar", cfg)["methods"].items():

        def one(method=method, lam=lam, truncation=truncation):
            seed_everything(0)
            env = make_env(cfg.minatar_game, 0)
            train(builder(cfg, method, lam, truncation)(env, 0), env, loop, 0)

        contenders[label] = one
    times = time_interleaved(contenders, repeats=repeats)
    rate = {k: n / float(np.median(v)) for k, v in times.items()}
    paper = configs.for_budget("paper")
    total_steps = paper.minatar_steps * len(paper.minatar_seeds)  # per method
    projected_h = {k: total_steps / r / 3600 for k, r in rate.items()}
    payload = {
        "experiment": "minatar_rate",
        "game": cfg.minatar_game,
        "steps_per_repeat": n,
        "times_s": times,
        "steps_per_s": rate,
        "paper_run": {"steps_per_seed": paper.minatar_steps, "seeds": len(paper.minatar_seeds)},
        "projected_hours_one_core": projected_h,
        "projected_hours_two_cores": {k: h / 2 for k, h in projected_h.items()},
    }
    return provenance.save_result(PAPER, "minatar_rate", budget, payload, seeds=(0,), started=t0)


def load(name: str, budget: str = "lab") -> tuple[dict, dict[str, list[History]]]:
    """Read a committed experiment: ``(metadata, {label: [History per seed]})``.

    Raises ``FileNotFoundError`` naming the command that produces the file.
    """
    path = paths.results_dir(PAPER, budget) / f"{name}-{budget}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing; produce it with: python -m paperlab.emdqn.experiments {name} --budget {budget}"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    runs = {k: [History.from_dict(h) for h in v] for k, v in data.pop("runs").items()}
    return data, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(NAMES), help=f"any of {NAMES + TIMINGS + ('minatar',)}")
    parser.add_argument("--budget", default="lab", choices=["lab", "paper"])
    parser.add_argument("--workers", type=int, default=None, help="seeds run at once (default: the config's)")
    args = parser.parse_args(argv)
    for name in args.names:
        if name == "parallel_speedup":
            path = parallel_speedup(args.budget)
        elif name == "minatar_rate":
            path = minatar_rate(args.budget)
        else:
            path = run(name, args.budget, workers=args.workers)
        print("wrote", path, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
