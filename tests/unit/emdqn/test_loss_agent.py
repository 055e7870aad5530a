import json

import numpy as np
import pytest
import torch

from paperlab.emdqn import configs, explore
from paperlab.emdqn.agent import EMDQNAgent, make_agent
from paperlab.emdqn.loss import emdqn_loss
from paperlab.emdqn.memory import EpisodicMemory
from paperlab.rl.dqn import DQNAgent, DQNConfig, huber
from paperlab.rl.runner import run_seeds


def _batch():
    q = torch.tensor([0.5, -1.0, 2.0, 0.0], requires_grad=True)
    S = torch.tensor([1.0, -1.5, -1.0, 0.2])
    H = torch.tensor([0.6, 9.0, 3.0, float("nan")])
    hit = torch.tensor([True, False, True, False])
    return q, S, H, hit


def test_loss_equals_hand_computed_value():
    q, S, H, hit = _batch()
    loss, logs = emdqn_loss(q, S, H, hit, lam=0.1)
    # TD Huber: 0.5^2/2, 0.5^2/2, |3|-0.5, 0.2^2/2 ; memory (hits only): 0.1^2/2, |-1|^2/2
    td = [0.125, 0.125, 2.5, 0.02]
    mem = [0.005, 0.0, 0.5, 0.0]
    assert loss.item() == pytest.approx(np.mean(np.array(td) + 0.1 * np.array(mem)))
    assert logs["hit_rate"] == 0.5 and logs["mem"] == pytest.approx(np.mean(mem))
    mse, _ = emdqn_loss(q, S, H, hit, lam=0.1, kind="mse")
    assert mse.item() == pytest.approx(
        np.mean(np.array([0.25, 0.25, 9, 0.04]) + 0.1 * np.array([0.01, 0, 1, 0]))
    )


def test_lambda_zero_is_td_loss_and_miss_has_zero_gradient():
    q, S, H, hit = _batch()
    loss, _ = emdqn_loss(q, S, H, hit, lam=0.0)
    assert loss.item() == huber(q - S).mean().item()
    loss, _ = emdqn_loss(q, S, H, hit, lam=1.0)
    loss.backward()
    g_mem = q.grad.clone()
    q.grad = None
    huber(q - S).mean().backward()
    diff = g_mem - q.grad  # gradient of the memory term alone
    assert diff[1] == 0 and diff[3] == 0 and diff[0] != 0 and torch.isfinite(diff).all()


def test_loss_bad_shapes():
    q, S, H, hit = _batch()
    with pytest.raises(ValueError, match="H"):
        emdqn_loss(q, S, H[:2], hit)
    with pytest.raises(ValueError, match="q_sa"):
        emdqn_loss(q[None], S, H, hit)
    with pytest.raises(ValueError, match="lam"):
        emdqn_loss(q, S, H, hit, lam=-1)


def test_hit_rate_positive_after_one_episode():
    from dataclasses import replace

    cfg = configs.for_budget("smoke")
    loop = replace(cfg.loop, total_steps=200, learning_starts=100)  # the first episode ends by step 60
    agents = {}
    for mode in ("write", "skip"):

        def build(env, s, mode=mode):
            agents[mode] = make_agent("emdqn", env, s, cfg.dqn, cfg.hidden, truncation=mode)
            return agents[mode]

        h = run_seeds(build, configs.GRID_ID, loop, [0])[0]
        reached = sum(r > 0 for _, r in h.episode_returns)
        if mode == "write":
            assert np.nanmax(h.logs["hit_rate"]) > 0
        elif reached == 0:  # every episode was cut by the time limit: nothing written, nothing hit
            assert agents[mode].memory.size == 0 and agents[mode].skipped_episodes == len(h.episode_returns) > 0


def test_lambda_zero_trains_bitwise_like_dqn():
    from dataclasses import replace

    cfg = configs.for_budget("smoke")
    loop = replace(cfg.loop, total_steps=300, learning_starts=100)  # 200 updates
    runs = {}
    for method in ("dqn", "emdqn"):
        agents = []

        def build(env, seed, method=method, agents=agents):
            agents.append(make_agent(method, env, seed, cfg.dqn, cfg.hidden, lam=0.0, truncation="write"))
            return agents[-1]

        h = run_seeds(build, configs.GRID_ID, loop, [0])[0]
        runs[method] = (h, agents[0])
    (hd, ad), (he, ae) = runs["dqn"], runs["emdqn"]
    assert isinstance(ae, EMDQNAgent) and type(ad) is DQNAgent and ae.memory.size > 0
    for p, q in zip(ad.q.parameters(), ae.q.parameters(), strict=True):
        assert torch.equal(p, q)
    assert json.dumps(hd.eval_returns) == json.dumps(he.eval_returns)


def test_explore_chain_and_jl():
    for L in (5, 20):
        mc, td = explore.chain_propagation(L, 0.9, L)
        np.testing.assert_allclose(mc[0], 0.9 ** (L - 1 - np.arange(L)))
        assert (td[L - 2, 0] == 0) and td[L - 1, 0] == pytest.approx(0.9 ** (L - 1))  # L episodes for TD
        np.testing.assert_allclose(td[-1], mc[-1])
    r = explore.jl_ratios(4, 500, 30, seed=0)
    assert abs(r.mean() - 1) < 3 * np.sqrt(2 / (4 * 500))
    with pytest.raises(ValueError, match="L and episodes"):
        explore.chain_propagation(0, 0.9, 1)


def test_explore_snapshots_and_optimism_gap():
    import paperlab.rl as rl
    from paperlab.rl import tabular

    env = rl.make_env(configs.GRID_ID, 0)
    trajs = explore.random_episodes(env, 3, seed=0)
    snaps = explore.memory_snapshots(EpisodicMemory(4, 64), trajs, 64, 0.99)
    assert len(snaps) == 3 and np.isfinite(snaps[-1][7])  # the start cell (0, 7) is known
    assert np.isfinite(snaps[0]).sum() <= np.isfinite(snaps[-1]).sum()
    mem = EpisodicMemory(4, 64)
    rate = explore.revisit_rate(mem, trajs, 0.99)
    seen, hits, total = set(), 0, 0
    for t in trajs:  # brute force: (state, action) pairs seen in earlier episodes
        pairs = [(int(np.argmax(o)), int(a)) for o, a in zip(t.obs, t.actions, strict=False)]
        hits += sum(p in seen for p in pairs)
        total += len(pairs)
        seen |= set(pairs)
    assert rate == pytest.approx(hits / total) and 0 < rate < 1
    fl = rl.make_env("FrozenLake-v1", 0, map_name="8x8", is_slippery=False)
    m = tabular.from_frozenlake(fl)
    q, _ = tabular.value_iteration(m.P, m.R, m.terminal, 0.99)
    gaps = explore.optimism_gap(EpisodicMemory(4, 64), explore.random_episodes(fl, 50, 0), q, 0.99)
    assert gaps.size > 0 and gaps.max() <= 1e-9  # deterministic: every return is achievable, H <= Q*


def _truncation_agent(truncation):
    """A 3-state one-hot problem; the Q-network outputs its bias, so max_a Q^-(s) = 0.8 for every s."""
    net = torch.nn.Linear(3, 4)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.copy_(torch.tensor([0.2, 0.8, -1.0, 0.1]))
    return EMDQNAgent(net, 4, EpisodicMemory(4, 3), DQNConfig(gamma=0.5), lam=0.1, truncation=truncation)


def _episode(terminated, truncated):
    from paperlab.rl.replay import Trajectory

    eye = np.eye(3, dtype=np.float32)
    return Trajectory(
        obs=eye, actions=np.array([0, 1, 2]), rewards=np.array([-0.01, -0.01, -0.01]),
        terminated=terminated, truncated=truncated, final_obs=eye[0],
    )


def test_truncated_episode_hand_computed_for_each_fix():
    eye = np.eye(3, dtype=np.float32)
    stored = lambda ag: [ag.memory.values_for(eye[t], a) for t, a in enumerate([0, 1, 2])]  # noqa: E731
    # skip: a time-limit cut writes nothing
    ag = _truncation_agent("skip")
    ag.on_episode_end(_episode(False, True))
    assert ag.memory.size == 0 and ag.skipped_episodes == 1
    # bootstrap, gamma 0.5, tail max_a Q^-(s_T) = 0.8: R_2 = -0.01 + 0.4, R_1 = -0.01 + 0.5 R_2, R_0 = -0.01 + 0.5 R_1
    ag = _truncation_agent("bootstrap")
    assert ag.tail_value(eye[0]) == pytest.approx(0.8)
    ag.on_episode_end(_episode(False, True))
    np.testing.assert_allclose(stored(ag), [0.0825, 0.185, 0.39])
    # write (the old behaviour): the cut is treated as an end, R_T = 0
    ag = _truncation_agent("write")
    ag.on_episode_end(_episode(False, True))
    np.testing.assert_allclose(stored(ag), [-0.0175, -0.015, -0.01])
    # a real end (terminated, even when the time limit fires on the same step) is written with R_T = 0 by all
    for mode in ("skip", "bootstrap", "write"):
        ag = _truncation_agent(mode)
        ag.on_episode_end(_episode(True, True))
        np.testing.assert_allclose(stored(ag), [-0.0175, -0.015, -0.01])
    with pytest.raises(ValueError, match="truncation"):
        _truncation_agent("ignore")


def test_ratio_estimate_is_the_sign_interval_on_log_ratios():
    from paperlab.emdqn.evaluation import ratio_estimate

    a = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
    b = [200] * 10
    est = ratio_estimate(a, b, min_n=10)
    ratios = np.array(a) / 200
    assert est.center == pytest.approx(np.median(ratios))
    # n = 10 at 90 %: the interval is [x_(2), x_(9)] of the sorted ratios
    assert (est.low, est.high) == (pytest.approx(1.0), pytest.approx(4.5))
    assert list(est.values) == pytest.approx(list(ratios))
    assert ratio_estimate(a[:5], b[:5], min_n=10).underpowered
    with pytest.raises(ValueError, match="positive"):
        ratio_estimate([0, 1], [1, 1], min_n=2)


def test_protocol_optimum_of_the_grid():
    from paperlab.emdqn.evaluation import protocol_optimum

    greedy, soft = protocol_optimum(configs.GRID_ID, 0.05)
    assert greedy == pytest.approx(configs.GRID_OPTIMAL)
    assert 0.8 < soft < greedy  # random actions cost steps
