"""Training runs with their decomposition scores, the optimum they are gated against, and the offline multi-seed
experiment written to ``results/drdrl/<name>-<budget>.json``.

Command line (from a clean commit; ``--workers`` forked processes run seeds in parallel)::

    python -m paperlab.drdrl.experiments e3 --budget lab --workers 2
    python -m paperlab.drdrl.experiments e0long --budget lab --workers 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from dataclasses import asdict, dataclass, field, replace

import gymnasium as gym
import numpy as np

from paperlab.core import provenance
from paperlab.drdrl import envs  # noqa: F401  (registers the CoinsGems ids)
from paperlab.drdrl.agent import AgentConfig, DRDRLAgent, c51_config
from paperlab.drdrl.evaluate import learned_tables, score_net, trace_correlation
from paperlab.rl.loop import LoopConfig, train
from paperlab.rl.tabular import epsilon_greedy, finite_horizon_policy_values, finite_horizon_values


@dataclass
class RunResult:
    """One run. ``eval_returns[i]`` is checkpoint i's mean return, ``eval_dists[i]`` its per-episode returns.

    ``scores[i]`` / ``half_halves[i]``: decomposition score and half-half baseline at checkpoint i (``None`` for
    one-channel agents); ``score``, ``half_half``, ``perm`` are the final checkpoint's; ``untrained`` the score before
    training; ``logs[name][i]`` the mean of a logged training scalar (``ce``, ``disent``, ``lam_disent``, ...) since
    checkpoint i-1. ``exact_returns[i]``: the exact expected return (tabular model) of checkpoint i's
    epsilon-greedy policy at the evaluation epsilon, the noise-free measure the calibration gates use (on the
    evaluated ``policy_net``); ``online_exact_returns[i]`` the same for the online network. ``final_tables``: the
    evaluated network's ``sub_q [S, A, N]`` and ``q [S, A]`` over every model state at the end (N >= 2 only).
    """

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
    eval_dists: list[list[float]] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    half_halves: list[float | None] = field(default_factory=list)
    exact_returns: list[float] = field(default_factory=list)
    online_exact_returns: list[float] = field(default_factory=list)
    final_tables: dict | None = None


def make(env_id: str, **kw) -> gym.Env:
    return gym.make(env_id, **kw)


def optimum(env_id: str, eval_eps: float = 0.0, env_kwargs: dict | None = None) -> float:
    """Best expected undiscounted return from the start distribution within the time limit, for a policy evaluated
    epsilon-greedily at ``eval_eps`` (exact backward induction on the tabular model)."""
    env = make(env_id, **(env_kwargs or {}))
    m = env.unwrapped.tabular_model()
    v = finite_horizon_values(m.P, m.R, m.terminal, env.spec.max_episode_steps, eps=eval_eps)
    return float(v @ m.start_dist)


def exact_return(q: np.ndarray, model, horizon: int, eps: float) -> float:
    """Expected undiscounted return from the start distribution of the epsilon-greedy policy on ``q [S, A]``
    within ``horizon`` steps (exact, no sampling noise)."""
    v = finite_horizon_policy_values(model.P, model.R, model.terminal, epsilon_greedy(q, eps), horizon)
    return float(v @ model.start_dist)


class _AtEval:
    """Callback at every evaluation: the exact expected return of the epsilon-greedy policy of the evaluated and of
    the online network and, for N >= 2, the decomposition score of the evaluated network's greedy policy."""

    def __init__(self, agent: DRDRLAgent, model, gamma: float, horizon: int, eps: float) -> None:
        self.agent, self.model, self.gamma, self.horizon, self.eps = agent, model, gamma, horizon, eps
        self.scores: list = []
        self.exact: list[float] = []
        self.online_exact: list[float] = []

    def _exact(self, net) -> float:
        a = self.agent
        _, q = learned_tables(net, self.model, a.sub_support, a.full_support)
        return exact_return(q, self.model, self.horizon, self.eps)

    def on_eval(self, step: int, res) -> None:
        a = self.agent
        self.exact.append(self._exact(a.policy_net))
        self.online_exact.append(self._exact(a.net))
        if a.cfg.n_channels > 1:
            self.scores.append(score_net(a.policy_net, self.model, a.sub_support, a.full_support, self.gamma))


def untrained_scores(env_id: str, agent_cfg: AgentConfig, seeds) -> np.ndarray:
    """Decomposition score of a freshly initialised agent (no training) per seed: the spread of the untrained
    baseline over initialisations. Returns ``[len(seeds)]``."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    if agent_cfg.n_channels < 2:
        raise ValueError(f"agent_cfg.n_channels must be >= 2 for a decomposition score, got {agent_cfg.n_channels}")
    env = make(env_id)
    model = env.unwrapped.tabular_model()
    out = []
    for s in seeds:
        a = DRDRLAgent(env.observation_space.shape[0], env.action_space.n, agent_cfg, int(s))
        out.append(score_net(a.policy_net, model, a.sub_support, a.full_support, agent_cfg.gamma).score)
    return np.array(out)


def run_one(
    env_id: str, agent_cfg: AgentConfig, loop: LoopConfig, seed: int, env_kwargs: dict | None = None
) -> tuple[RunResult, DRDRLAgent]:
    """Train a fresh agent for ``loop.total_steps``; score it against the exact ground truth at every checkpoint."""
    env, eval_env = make(env_id, **(env_kwargs or {})), make(env_id, **(env_kwargs or {}))
    agent = DRDRLAgent(env.observation_space.shape[0], env.action_space.n, agent_cfg, seed)
    model = env.unwrapped.tabular_model()
    multi = agent_cfg.n_channels > 1
    untrained = (
        score_net(agent.net, model, agent.sub_support, agent.full_support, agent_cfg.gamma).score
        if multi
        else None
    )
    cb = _AtEval(agent, model, agent_cfg.gamma, env.spec.max_episode_steps, loop.eval_eps)
    hist = train(agent, env, loop, seed=seed, eval_env=eval_env, callbacks=(cb,))
    sc = cb.scores[-1] if cb.scores else None
    means = [float(np.mean(r)) for r in hist.eval_returns]
    logs = {k: [None if np.isnan(x) else float(x) for x in v] for k, v in hist.logs.items()}
    tables = None
    if multi:
        sub_q, q = learned_tables(agent.policy_net, model, agent.sub_support, agent.full_support)
        tables = {"sub_q": np.round(sub_q, 5).tolist(), "q": np.round(q, 5).tolist()}
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
        [list(r) for r in hist.eval_returns],
        [s.score for s in cb.scores] if multi else [None] * len(means),
        [s.half_half for s in cb.scores] if multi else [None] * len(means),
        cb.exact,
        cb.online_exact,
        tables,
    )
    return res, agent


def save(name: str, budget: str, payload: dict, seeds=(), started: float | None = None) -> str:
    """Write ``payload`` with provenance to ``results/drdrl/<name>-<budget>.json`` (build dir at smoke)."""
    clean = json.loads(json.dumps(payload, default=str))
    return provenance.save_result("drdrl", name, budget, clean, seeds=seeds, started=started).name


def as_dict(r: RunResult) -> dict:
    return asdict(r)


def variants(cfg) -> dict[str, tuple[str, AgentConfig]]:
    """The four learners of E0/E3/T2: DRDRL and C51 on the stochastic task, DRDRL on the deterministic control, and
    DRDRL without the disentangling term (``lam = 0``, the T2 ablation) on the stochastic task."""
    from paperlab.drdrl import configs

    return {
        "DRDRL": (configs.STOCHASTIC_ID, cfg.agent),
        "C51": (configs.STOCHASTIC_ID, c51_config(cfg.agent)),
        "DRDRL-det": (configs.DETERMINISTIC_ID, cfg.agent),
        "DRDRL-lam0": (configs.STOCHASTIC_ID, replace(cfg.agent, lam=0.0)),
    }


_JOBS: list = []


def _job(i: int) -> dict:
    name, env_id, acfg, loop, seed, trace_episodes = _JOBS[i]
    t0 = time.time()
    res, agent = run_one(env_id, acfg, loop, seed)
    out = {"variant": name, "seconds": time.time() - t0, **as_dict(res)}
    if acfg.n_channels > 1:  # C3: read-out sub-rewards along greedy episodes vs the true channel rewards
        tr, half, _ = trace_correlation(agent, make(env_id), trace_episodes, seed=1000 + seed)
        out["trace"], out["trace_half_half"] = tr, half
    return out


def run_grid(
    cfg, names: list[str] | None = None, workers: int = 1, loop: LoopConfig | None = None, seeds: dict | None = None
) -> dict[str, list[dict]]:
    """Every variant x seed (default ``cfg.offline_seeds``; ``seeds[name]`` overrides per variant) at ``loop``
    (default ``cfg.offline_loop``); ``workers`` forked processes."""
    global _JOBS
    var = variants(cfg)
    names = list(var) if names is None else names
    loop = cfg.offline_loop if loop is None else loop
    seeds = seeds or {}
    _JOBS = [
        (n, *var[n], loop, s, cfg.trace_episodes) for n in names for s in seeds.get(n, cfg.offline_seeds)
    ]
    try:
        if workers <= 1:
            out = [_job(i) for i in range(len(_JOBS))]
        else:
            with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
                out = pool.map(_job, range(len(_JOBS)), chunksize=1)
    finally:
        _JOBS = []
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for r in out:
        runs[r["variant"]].append(r)
    return runs


def e3(budget: str, workers: int = 1) -> str:
    """E0 calibration curves, E3/E2 scores and the T2 ablation from one grid: per learner, task and seed the return
    at every checkpoint (fraction of the optimum) and the decomposition score. Writes
    ``results/drdrl/e3-<budget>.json``."""
    from paperlab.drdrl import configs

    started = time.time()
    cfg = configs.for_budget(budget)
    runs = run_grid(cfg, workers=workers)
    eps = cfg.offline_loop.eval_eps
    payload = {
        "steps": cfg.offline_loop.total_steps,
        "loop": repr(cfg.offline_loop),
        "agent": asdict(cfg.agent),
        "eval_eps": eps,
        "eval_episodes": cfg.offline_loop.eval_episodes,
        "optimum": {
            configs.STOCHASTIC_ID: optimum(configs.STOCHASTIC_ID, eps),
            configs.DETERMINISTIC_ID: optimum(configs.DETERMINISTIC_ID, eps),
        },
        "workers": workers,
        "runs": runs,
    }
    return save("e3", budget, payload, seeds=cfg.offline_seeds, started=started)


def e0_long(budget: str, workers: int = 1) -> str:
    """E0 ladder past the E3 budget: DRDRL with and without the disentangling term on the stochastic task for
    ``cfg.e0_loop`` steps (seeds ``cfg.e0_seeds``, a subset of the E3 seeds, so each curve's first part repeats its
    E3 run), to find the steps the 90 % gate needs. Writes ``results/drdrl/e0long-<budget>.json``."""
    from paperlab.drdrl import configs

    started = time.time()
    cfg = configs.for_budget(budget)
    runs = run_grid(cfg, list(cfg.e0_seeds), workers, loop=cfg.e0_loop, seeds=cfg.e0_seeds)
    payload = {
        "steps": cfg.e0_loop.total_steps,
        "loop": repr(cfg.e0_loop),
        "agent": asdict(cfg.agent),
        "eval_eps": cfg.e0_loop.eval_eps,
        "optimum": {configs.STOCHASTIC_ID: optimum(configs.STOCHASTIC_ID, cfg.e0_loop.eval_eps)},
        "workers": workers,
        "runs": runs,
    }
    seeds = sorted({s for v in cfg.e0_seeds.values() for s in v})
    return save("e0long", budget, payload, seeds=seeds, started=started)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiment", choices=["e3", "e0long"])
    ap.add_argument("--budget", default="lab")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    print("wrote", (e3 if a.experiment == "e3" else e0_long)(a.budget, a.workers))


if __name__ == "__main__":
    main()
