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


def test_evaluate_with_epsilon_records_every_episode():
    env = rl.make_env("paperlab/SparseGoalGrid-v0", 1)
    # eps = 1: every action is random, drawn from the given rng; reproducible with the same rng seed
    a = evaluate(lambda o: 2, env, 5, seed=5, eps=1.0, rng=np.random.default_rng(0))
    b = evaluate(lambda o: 2, env, 5, seed=5, eps=1.0, rng=np.random.default_rng(0))
    assert a.returns.tolist() == b.returns.tolist() and a.returns.size == 5
    # the fixed policy alone bumps into the wall for 60 steps; random actions change some returns
    assert evaluate(lambda o: 2, env, 3, seed=5, eps=0.0).returns.tolist() == [pytest.approx(-0.6)] * 3
    with pytest.raises(ValueError, match="eps"):
        evaluate(lambda o: 2, env, 1, eps=1.5)


def test_train_records_the_return_distribution_at_eval_eps():
    from dataclasses import replace

    cfg = replace(CFG, eval_episodes=4, eval_eps=0.05)
    h = run_seeds(_build, "paperlab/SparseGoalGrid-v0", cfg, [0])[0]
    assert [len(r) for r in h.eval_returns] == [4, 4, 4]
    with pytest.raises(ValueError, match="eval_eps"):
        replace(CFG, eval_eps=-0.1)


def test_run_seeds_in_parallel_equals_serial():
    serial = run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0, 3])
    parallel = run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0, 3], workers=2)
    assert json.dumps([h.to_dict() for h in serial]) == json.dumps([h.to_dict() for h in parallel])
    with pytest.raises(ValueError, match="workers"):
        run_seeds(_build, "paperlab/SparseGoalGrid-v0", CFG, [0], workers=0)


def test_final_and_censored_scores():
    from paperlab.rl.loop import History
    from paperlab.rl.runner import censored_steps, curve_scores, final_scores

    h = History(eval_steps=[1, 2, 3], eval_returns=[[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    assert final_scores([h], last=2).tolist() == [0.5] and curve_scores([h]).tolist() == [0.5]
    assert censored_steps([100, None], 999).tolist() == [100.0, 999.0]
