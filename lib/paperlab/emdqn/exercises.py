"""Autograded exercises of the EMDQN series (checked with ``paperlab.core.exercises.check``)."""

from __future__ import annotations

import numpy as np
import torch

from paperlab.core.exercises import register
from paperlab.emdqn.loss import emdqn_loss
from paperlab.rl.stats import steps_to_threshold


def write_episode_reference(
    table: dict, keys: list, rewards: list, gamma: float, clip: tuple[float, float]
) -> dict:
    """Backward max-return write into ``table`` (key -> best return); returns the updated table."""
    out = dict(table)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = float(np.clip(rewards[t], *clip)) + gamma * running
        out[keys[t]] = max(out.get(keys[t], -np.inf), running)
    return out


def _episode_cases(rng: np.random.Generator):
    cases = []
    for T in (1, 5, 12):
        keys = [int(k) for k in rng.integers(0, 4, size=T)]  # repeated keys exercise the max
        rewards = [float(x) for x in rng.normal(0, 2, size=T)]  # beyond [-1, 1]: clipping matters
        table = {0: 0.5, 7: -1.0}
        cases.append(((table, keys, rewards, 0.9, (-1.0, 1.0)), {}))
    return cases


register(
    "emdqn.write_episode",
    reference=write_episode_reference,
    cases=_episode_cases,
    hint="walk t from T-1 down to 0: R = clip(r_t) + gamma * R, then table[key] = max(old, R); start from a copy",
)


def _loss_reference(q_sa, td_target, H, hit_mask, lam):
    return emdqn_loss(q_sa, td_target, H, hit_mask, lam)[0]


def _loss_cases(rng: np.random.Generator):
    cases = []
    for B, lam in ((4, 0.1), (16, 1.0), (8, 0.0)):
        t = lambda *s: torch.tensor(rng.normal(0, 2, size=s), dtype=torch.float32)  # noqa: E731
        hit = torch.tensor(rng.random(B) < 0.6)
        cases.append(((t(B), t(B), t(B), hit, lam), {}))
    return cases


register(
    "emdqn.loss",
    reference=_loss_reference,
    cases=_loss_cases,
    hint="mean over the batch of huber(Q - S) + lam * hit * huber(Q - H); huber(x) = F.huber_loss(x, 0, reduction='none')",
)


def _stt_cases(rng: np.random.Generator):
    cases = []
    for n in (6, 12, 20):
        steps = [500 * (i + 1) for i in range(n)]
        values = [float(v) for v in rng.choice([0.0, 0.8, 0.86], size=n, p=[0.4, 0.2, 0.4])]
        cases.append(((steps, values, 0.774), {"patience": 3}))
    cases.append((([1, 2, 3], [0.0, 0.0, 0.0], 0.5), {"patience": 1}))
    return cases


register(
    "emdqn.steps_to_threshold",
    reference=steps_to_threshold,
    cases=_stt_cases,
    hint="count consecutive evaluations >= threshold, reset the count on a dip; return the step where the run of `patience` began, else None",
)
