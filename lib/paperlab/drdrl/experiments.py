"""One training run with its decomposition score, and a grid of runs written to ``results/drdrl/<name>.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import gymnasium as gym
import numpy as np

from paperlab.core import provenance
from paperlab.drdrl import envs  # noqa: F401  (registers the CoinsGems ids)
from paperlab.drdrl.agent import AgentConfig, DRDRLAgent
from paperlab.drdrl.evaluate import score_net
from paperlab.rl.loop import LoopConfig, train


@dataclass
class RunResult:
    """``final_return``: mean greedy return of the last evaluation; scores are ``None`` for one-channel agents."""

    env_id: str
    seed: int
    eval_steps: list[int]
    eval_returns: list[float]
    final_return: float
    score: float | None
    half_half: float | None
    untrained: float | None
    perm: list[int] | None
    logs: dict


def make(env_id: str, **kw) -> gym.Env:
    return gym.make(env_id, **kw)


def run_one(
    env_id: str, agent_cfg: AgentConfig, loop: LoopConfig, seed: int, env_kwargs: dict | None = None
) -> tuple[RunResult, DRDRLAgent]:
    """Train a fresh agent for ``loop.total_steps`` and score it against the exact ground truth."""
    env, eval_env = make(env_id, **(env_kwargs or {})), make(env_id, **(env_kwargs or {}))
    agent = DRDRLAgent(env.observation_space.shape[0], env.action_space.n, agent_cfg, seed)
    model = env.unwrapped.tabular_model()
    multi = agent_cfg.n_channels > 1
    untrained = (
        score_net(agent.net, model, agent.sub_support, agent.full_support, agent_cfg.gamma).score
        if multi
        else None
    )
    hist = train(agent, env, loop, seed=seed, eval_env=eval_env)
    sc = (
        score_net(agent.net, model, agent.sub_support, agent.full_support, agent_cfg.gamma) if multi else None
    )
    means = [float(np.mean(r)) for r in hist.eval_returns]
    logs = {k: [None if np.isnan(x) else float(x) for x in v] for k, v in hist.logs.items()}
    res = RunResult(
        env_id,
        seed,
        list(hist.eval_steps),
        means,
        means[-1] if means else float("nan"),
        None if sc is None else sc.score,
        None if sc is None else sc.half_half,
        untrained,
        None if sc is None else list(sc.perm),
        logs,
    )
    return res, agent


def save(name: str, budget: str, payload: dict, seeds=()) -> str:
    """Write ``payload`` with provenance to ``results/drdrl/<name>-<budget>.json`` (build dir at smoke)."""
    return provenance.save_result("drdrl", name, budget, json.loads(json.dumps(payload, default=str)), seeds=seeds).name


def as_dict(r: RunResult) -> dict:
    return asdict(r)
