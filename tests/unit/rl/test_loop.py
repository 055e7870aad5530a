import json

import numpy as np
import pytest

import paperlab.rl as rl
from paperlab.core import seed_everything
from paperlab.rl import networks
from paperlab.rl.dqn import DQNAgent, DQNConfig
from paperlab.rl.loop import LoopConfig, evaluate
from paperlab.rl.runner import median_steps, results_table, run_seeds
from paperlab.rl.schedules import linear

CFG = LoopConfig(
    total_steps=300,
    learning_starts=50,
    train_every=1,
    target_every=50,
    eval_every=100,
    eval_episodes=1,
    eps_schedule=linear(1.0, 0.1, 200),
    batch_size=16,
    buffer_size=500,
)


def _build(env, seed):
    return DQNAgent(
        networks.build_q_network(env.observation_space, env.action_space, hidden=(16,)), 4, DQNConfig(), seed
    )


def test_train_is_deterministic_and_logs():
    a = run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0])[0]
    b = run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0])[0]
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert a.eval_steps == [100, 200, 300]
    assert all(np.isfinite(a.logs["loss"]))  # updates start at step 50, before the first evaluation


def test_evaluate_uses_its_own_env():
    seed_everything(0)
    env = rl.make_env("paperlab/SparseGoalGrid-v0", 0)
    ev = rl.make_env("paperlab/SparseGoalGrid-v0", 1)
    env.reset()
    env.step(2)
    pos = env.unwrapped.pos
    res = evaluate(lambda o: 2, ev, 2, seed=5)
    assert env.unwrapped.pos == pos
    assert res.returns.tolist() == [pytest.approx(-0.6)] * 2 and res.lengths.tolist() == [60, 60]


def test_results_table_and_median():
    h = run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0])
    rows = results_table({"dqn": h}, threshold=0.5)
    assert rows[0]["reached"] in ("0/1", "1/1")
    assert median_steps([None, None, 100]) == float("inf") and median_steps([100, 300, None]) == 300
    assert median_steps([None, None, 100], censor=500) == 500


def test_loop_config_validation():
    with pytest.raises(ValueError, match="train_every"):
        LoopConfig(10, 0, 0, 1, 1, 1, linear(1, 0, 5))
    with pytest.raises(TypeError, match="eps_schedule"):
        LoopConfig(10, 0, 1, 1, 1, 1, 0.1)
