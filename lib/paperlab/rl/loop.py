"""The CleanRL-style training loop (every step count in one ``LoopConfig``) and evaluation.

Evaluation follows Agarwal et al. (2021) and the DQN protocol: ``eval_episodes`` episodes per checkpoint at a
stated evaluation epsilon (``eval_eps``; 0.05 for DQN-family methods, 0 = greedy), and every episode's return is
kept (``History.eval_returns[i]`` is the return distribution of checkpoint i).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from paperlab.rl.replay import EpisodeRecorder, ReplayBuffer, Trajectory
from paperlab.rl.seeding import env_seeds


@dataclass(frozen=True)
class LoopConfig:
    """Every step count of a run in one place (printed by each notebook).

    Attributes:
        total_steps: agent steps (environment interactions) of the run.
        learning_starts: no gradient step before this many agent steps.
        train_every: one gradient step every ``train_every`` agent steps.
        target_every: target-network sync period, in agent steps.
        eval_every: evaluation period, in agent steps (evaluations at ``eval_every, 2*eval_every, ...``).
        eval_episodes: episodes per evaluation (>= 10 for a claim; Agarwal et al. 2021).
        eps_schedule: ``step -> epsilon`` (see :mod:`paperlab.rl.schedules`).
        batch_size: minibatch size.
        buffer_size: replay capacity.
        num_threads: torch intra-op threads during the run (1 is fastest on a shared 2-core machine).
        eval_eps: epsilon of the epsilon-greedy evaluation policy (0 = greedy; DQN's protocol uses 0.05).
    """

    total_steps: int
    learning_starts: int
    train_every: int
    target_every: int
    eval_every: int
    eval_episodes: int
    eps_schedule: Callable[[int], float]
    batch_size: int = 64
    buffer_size: int = 20_000
    num_threads: int = 1
    eval_eps: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "total_steps",
            "train_every",
            "target_every",
            "eval_every",
            "eval_episodes",
            "batch_size",
            "buffer_size",
            "num_threads",
        ):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if self.learning_starts < 0:
            raise ValueError(f"learning_starts must be >= 0, got {self.learning_starts}")
        if not 0.0 <= self.eval_eps <= 1.0:
            raise ValueError(f"eval_eps must be in [0, 1], got {self.eval_eps}")
        if not callable(self.eps_schedule):
            raise TypeError("eps_schedule must be callable step -> epsilon")


@dataclass
class EvalResult:
    """Per-episode undiscounted returns and lengths of one evaluation."""

    returns: np.ndarray
    lengths: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.returns))


@dataclass
class History:
    """What a run produced.

    ``eval_steps[i]`` is the agent step of evaluation i and ``eval_returns[i]`` its per-episode returns;
    ``logs[name][i]`` is the mean of the agent's logged scalar ``name`` over the updates since the
    previous evaluation (NaN if there were none); ``episode_returns`` are the training episodes'
    (step at episode end, return) pairs.
    """

    eval_steps: list[int] = field(default_factory=list)
    eval_returns: list[list[float]] = field(default_factory=list)
    logs: dict[str, list[float]] = field(default_factory=dict)
    episode_returns: list[tuple[int, float]] = field(default_factory=list)

    @property
    def eval_mean(self) -> np.ndarray:
        return np.array([np.mean(r) for r in self.eval_returns])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(
            eval_steps=list(d["eval_steps"]),
            eval_returns=[list(r) for r in d["eval_returns"]],
            logs={k: list(v) for k, v in d["logs"].items()},
            episode_returns=[tuple(x) for x in d["episode_returns"]],
        )


def evaluate(
    policy: Callable[[np.ndarray], int],
    env: gym.Env,
    episodes: int,
    seed: int | None = None,
    eps: float = 0.0,
    rng: np.random.Generator | None = None,
) -> EvalResult:
    """Run ``episodes`` episodes of ``policy`` (obs -> action) on ``env``; the first reset uses ``seed``.

    With ``eps > 0`` each action is replaced, with probability ``eps``, by a uniform random action drawn from
    ``rng`` (default: ``np.random.default_rng(seed)``); ``env`` must have a ``Discrete`` action space then.
    Use an env instance separate from the training env, so evaluation never disturbs training.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be positive, got {episodes}")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must be in [0, 1], got {eps}")
    if eps > 0:
        if not isinstance(env.action_space, gym.spaces.Discrete):
            raise TypeError("eps > 0 needs a Discrete action space")
        rng = rng if rng is not None else np.random.default_rng(seed)
        n_actions = int(env.action_space.n)
    rets, lens = [], []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed if ep == 0 else None)
        done, total, n = False, 0.0, 0
        while not done:
            if eps > 0 and rng.random() < eps:
                action = int(rng.integers(n_actions))
            else:
                action = policy(obs)
            obs, r, term, trunc, _ = env.step(action)
            total, n, done = total + float(r), n + 1, term or trunc
        rets.append(total)
        lens.append(n)
    return EvalResult(np.asarray(rets), np.asarray(lens))


def train(
    agent: Any,
    env: gym.Env,
    cfg: LoopConfig,
    seed: int,
    eval_env: gym.Env | None = None,
    callbacks: Sequence[Any] = (),
) -> History:
    """Train ``agent`` on ``env`` for ``cfg.total_steps`` agent steps.

    The agent provides ``act(obs, eps)``, ``greedy(obs)``, ``update(batch) -> dict``, ``sync_target()``
    and ``on_episode_end(traj)``. Callbacks may define ``on_step(step, obs, action, reward, next_obs,
    terminated, truncated)``, ``on_episode_end(step, traj)`` and ``on_eval(step, result)``.
    ``seed`` derives independent seeds for the training env, the evaluation env and the replay sampler;
    the env is reset with its seed once, later resets continue its stream.
    """
    s_env, s_eval, s_replay = env_seeds(seed, 3)
    prev_threads = torch.get_num_threads()
    torch.set_num_threads(cfg.num_threads)
    env.action_space.seed(s_env)
    obs, _ = env.reset(seed=s_env)
    replay = ReplayBuffer(
        cfg.buffer_size,
        env.observation_space.shape,
        np.float32,
        rng=np.random.default_rng(s_replay),
    )
    recorder, hist = EpisodeRecorder(), History()
    window: dict[str, list[float]] = {}
    ep_return = 0.0
    try:
        for step in range(cfg.total_steps):
            action = agent.act(obs, cfg.eps_schedule(step))
            next_obs, reward, term, trunc, _ = env.step(action)
            replay.add(obs, action, reward, next_obs, term, trunc)
            recorder.append(obs, action, reward)
            for cb in callbacks:
                if hasattr(cb, "on_step"):
                    cb.on_step(step, obs, action, reward, next_obs, term, trunc)
            ep_return += float(reward)
            obs = next_obs
            if term or trunc:
                traj: Trajectory = recorder.finish(next_obs, term, trunc)
                agent.on_episode_end(traj)
                for cb in callbacks:
                    if hasattr(cb, "on_episode_end"):
                        cb.on_episode_end(step, traj)
                hist.episode_returns.append((step + 1, ep_return))
                ep_return = 0.0
                obs, _ = env.reset()
            if step >= cfg.learning_starts and step % cfg.train_every == 0:
                for k, v in agent.update(replay.sample(cfg.batch_size)).items():
                    window.setdefault(k, []).append(v)
            if step % cfg.target_every == 0:
                agent.sync_target()
            if eval_env is not None and (step + 1) % cfg.eval_every == 0:
                # each checkpoint draws its exploration noise from its own stream (eval_eps = 0 draws nothing)
                eval_rng = np.random.default_rng([s_eval, step + 1])
                res = evaluate(agent.greedy, eval_env, cfg.eval_episodes, s_eval, cfg.eval_eps, eval_rng)
                hist.eval_steps.append(step + 1)
                hist.eval_returns.append([float(x) for x in res.returns])
                for k in sorted(set(window) | set(hist.logs)):
                    vals = window.get(k, [])
                    n_before = len(hist.eval_steps) - 1
                    hist.logs.setdefault(k, [float("nan")] * n_before).append(
                        float(np.mean(vals)) if vals else float("nan")
                    )
                window = {}
                for cb in callbacks:
                    if hasattr(cb, "on_eval"):
                        cb.on_eval(step + 1, res)
    finally:
        torch.set_num_threads(prev_threads)
    return hist
