"""Multi-seed experiments too long for a notebook cell, written to ``results/emdqn/<name>-<budget>.json``.

Run: ``python -m paperlab.emdqn.experiments [names...] [--budget lab]`` from a clean commit. Every file goes
through :func:`paperlab.core.provenance.save_result` (clean revision, seeds, wall time, versions) and holds
every run's History; nothing in it is hand-written.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from paperlab.core import paths, provenance
from paperlab.emdqn import configs
from paperlab.emdqn.agent import make_agent
from paperlab.rl.loop import History
from paperlab.rl.runner import run_seeds

PAPER = "emdqn"


def _spec(name: str, cfg: configs.EMDQNConfig) -> dict:
    """Experiment name -> env, loop and the methods to compare ({label: (method, lam)})."""
    fl = replace(cfg.loop, total_steps=cfg.frozenlake_steps)
    fl_slip = replace(fl, eval_episodes=cfg.eval_episodes_stochastic)
    both = {"DQN": ("dqn", 0.0), "EMDQN": ("emdqn", cfg.lam)}
    specs = {
        "grid_main": dict(env_id=configs.GRID_ID, env_kwargs={}, loop=cfg.loop, methods=both),
        "grid_fast_eps": dict(env_id=configs.GRID_ID, env_kwargs={}, loop=cfg.fast_loop, methods=both),
        "grid_lambda": dict(
            env_id=configs.GRID_ID,
            env_kwargs={},
            loop=cfg.loop,
            methods={"EMDQN lam=1": ("emdqn", 1.0), "EMDQN lam=0.01": ("emdqn", 0.01)},
        ),
        "frozenlake_det": dict(
            env_id=configs.FROZENLAKE_ID,
            env_kwargs={"map_name": "8x8", "is_slippery": False},
            loop=fl,
            methods=both,
        ),
        "frozenlake_slippery": dict(
            env_id=configs.FROZENLAKE_ID,
            env_kwargs={"map_name": "8x8", "is_slippery": True},
            loop=fl_slip,
            methods=both,
        ),
    }
    if name not in specs:
        raise ValueError(f"name must be one of {', '.join(specs)}, got {name!r}")
    return specs[name]


NAMES = ("grid_main", "grid_fast_eps", "grid_lambda", "frozenlake_det", "frozenlake_slippery")


def run(name: str, budget: str = "lab", seeds: tuple[int, ...] | None = None) -> Path:
    """Run experiment ``name`` for every method and seed and write ``results/emdqn/<name>.json``."""
    cfg = configs.for_budget(budget)
    spec = _spec(name, cfg)
    seeds = tuple(cfg.seeds if seeds is None else seeds)
    t0 = time.time()
    runs = {}
    for label, (method, lam) in spec["methods"].items():

        def build(env, seed, method=method, lam=lam):
            return make_agent(
                method,
                env,
                seed,
                cfg.dqn,
                cfg.hidden,
                lam=lam,
                d=cfg.d,
                lookup=cfg.lookup,
                capacity=cfg.capacity,
            )

        runs[label] = [
            h.to_dict() for h in run_seeds(build, spec["env_id"], spec["loop"], seeds, spec["env_kwargs"])
        ]
    payload = {
        "experiment": name,
        "paper": PAPER,
        "env_id": spec["env_id"],
        "env_kwargs": spec["env_kwargs"],
        "loop": repr(spec["loop"]),
        "methods": {k: {"method": m, "lam": lam} for k, (m, lam) in spec["methods"].items()},
        "runs": runs,
    }
    return provenance.save_result(PAPER, name, budget, payload, seeds=seeds, started=t0)


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
    parser.add_argument("names", nargs="*", default=list(NAMES))
    parser.add_argument("--budget", default="lab", choices=["lab", "paper"])
    args = parser.parse_args(argv)
    for name in args.names:
        print("wrote", run(name, args.budget), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
