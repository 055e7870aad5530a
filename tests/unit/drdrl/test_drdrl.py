"""DRDRL unit tests: supports, convolution, projection, loss, score, env, tabular ground truth, identifiability."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest
import scipy.stats
import torch
from gymnasium.utils.env_checker import check_env

from paperlab.drdrl import envs
from paperlab.drdrl.agent import AgentConfig, DRDRLAgent, c51_config
from paperlab.drdrl.evaluate import decomposition_score, score_net, subreward_trace
from paperlab.drdrl.explore import bernoulli_sum, fit_split, split_distance
from paperlab.drdrl.loss import disentanglement, drdrl_loss
from paperlab.drdrl.model import DRDRLNet
from paperlab.drdrl.ops import (
    categorical_target,
    convolve_categoricals,
    project_categorical,
    spacing,
    sub_supports,
)
from paperlab.rl.replay import ReplayBuffer
from paperlab.rl.tabular import policy_evaluation


def rand_p(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(*shape, generator=g, dtype=torch.float64), -1)


# ---- supports ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "k", "m"), [(2, 26, 51), (5, 11, 51), (3, 17, 49)])
def test_sub_supports_worked_examples(n, k, m):
    sub, full = sub_supports(-10.0, 10.0, n, k)
    assert sub.shape == (n, k) and full.shape == (m,)
    assert float(full[0]) == pytest.approx(-10) and float(full[-1]) == pytest.approx(10)
    d = spacing(full)
    assert torch.allclose(torch.diff(sub[0]), torch.full((k - 1,), d), atol=1e-5)
    # the sum of the channels' lowest atoms is vmin, the sum of their highest atoms is vmax
    assert float(sub[:, 0].sum()) == pytest.approx(-10, abs=1e-4) and float(
        sub[:, -1].sum()
    ) == pytest.approx(10, abs=1e-4)


def test_atari_example_spacing():
    sub, full = sub_supports(-10.0, 10.0, 2, 26)
    assert (
        spacing(full) == pytest.approx(0.4)
        and float(sub[0, 0]) == -5
        and float(sub[0, -1]) == pytest.approx(5)
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [((1.0, 1.0, 2, 5), "vmin"), ((0.0, 1.0, 0, 5), "n_channels"), ((0.0, 1.0, 2, 1), "n_atoms_sub")],
)
def test_sub_supports_bad(args, name):
    with pytest.raises(ValueError, match=name):
        sub_supports(*args)


def test_non_uniform_support_raises():
    with pytest.raises(ValueError, match="support"):
        project_categorical(torch.zeros(1, 3), torch.ones(1, 3) / 3, torch.tensor([0.0, 1.0, 3.0]))


# ---- convolution ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3])
def test_convolution_equals_numpy_chain(n):
    p = rand_p((3, n, 2, 5), seed=n)
    out = convolve_categoricals(p).numpy()
    for b, a in itertools.product(range(3), range(2)):
        ref = p[b, 0, a].numpy()
        for i in range(1, n):
            ref = np.convolve(ref, p[b, i, a].numpy())
        np.testing.assert_allclose(out[b, a], ref, atol=1e-12)
    assert convolve_categoricals(p, "fft").shape == out.shape
    np.testing.assert_allclose(convolve_categoricals(p, "fft").numpy(), out, atol=1e-6)


def test_convolution_brute_force_histogram():
    p = rand_p((1, 3, 1, 4), seed=7).numpy()[0, :, 0]
    hist = np.zeros(10)
    for ks in itertools.product(range(4), repeat=3):
        hist[sum(ks)] += np.prod([p[i, k] for i, k in enumerate(ks)])
    np.testing.assert_allclose(
        convolve_categoricals(torch.as_tensor(p)[None, :, None]).numpy()[0, 0], hist, atol=1e-12
    )


def test_convolution_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        convolve_categoricals(torch.ones(1, 2, 1, 3))
    with pytest.raises(ValueError, match="p must"):
        convolve_categoricals(torch.ones(2, 3))
    with pytest.raises(ValueError, match="method"):
        convolve_categoricals(rand_p((1, 2, 1, 3)), "dft")


# ---- projection ----------------------------------------------------------------------------------
def loop_projection(tz, probs, z):
    """Index-based C51 projection with the l == u fix (independent reference)."""
    out = np.zeros((tz.shape[0], len(z)))
    d = z[1] - z[0]
    for b in range(tz.shape[0]):
        for m in range(tz.shape[1]):
            bj = (np.clip(tz[b, m], z[0], z[-1]) - z[0]) / d
            lo, hi = int(np.floor(bj + 1e-9)), int(np.ceil(bj - 1e-9))
            if lo == hi:
                out[b, lo] += probs[b, m]
            else:
                out[b, lo] += probs[b, m] * (hi - bj)
                out[b, hi] += probs[b, m] * (bj - lo)
    return out


def test_projection_matches_loop_and_conserves_mass():
    rng = np.random.default_rng(0)
    z = torch.linspace(0, 5, 51, dtype=torch.float64)
    probs = rand_p((8, 51), seed=1)
    for rewards in (
        torch.as_tensor(rng.uniform(-1, 3, 8)),
        torch.tensor([0.0, 0.1, 1.0, 2.0, 0.5, 3.0, 0.2, 1.7], dtype=torch.float64),
    ):
        term = torch.tensor([0, 1, 0, 0, 1, 0, 0, 0], dtype=torch.bool)
        out = categorical_target(probs, rewards, term, 0.9, z)
        tz = (rewards[:, None] + 0.9 * (~term)[:, None] * z).numpy()
        np.testing.assert_allclose(out.numpy(), loop_projection(tz, probs.numpy(), z.numpy()), atol=1e-9)
        np.testing.assert_allclose(out.sum(-1).numpy(), 1.0, atol=1e-9)


def test_projection_on_atom_and_terminal():
    z = torch.linspace(0, 5, 51, dtype=torch.float64)
    out = categorical_target(
        rand_p((1, 51)), torch.tensor([2.0], dtype=torch.float64), torch.tensor([True]), 0.9, z
    )
    assert float(out[0, 20]) == pytest.approx(1.0)  # terminal: all mass on r = 2.0, atom 20


# ---- loss ----------------------------------------------------------------------------------------
def make_batch(obs_dim=27, n=16, seed=0):
    rng = np.random.default_rng(seed)
    buf = ReplayBuffer(64, (obs_dim,), rng=np.random.default_rng(seed))
    for _ in range(32):
        buf.add(
            rng.random(obs_dim).astype(np.float32),
            int(rng.integers(4)),
            float(rng.choice([0, 1, 2])),
            rng.random(obs_dim).astype(np.float32),
            bool(rng.random() < 0.2),
            False,
        )
    return buf.sample(n)


def test_c51_case_equals_plain_cross_entropy():
    torch.manual_seed(0)
    cfg = c51_config(AgentConfig())
    sub, full = sub_supports(cfg.vmin, cfg.vmax, 1, cfg.n_atoms_sub)
    net = DRDRLNet(27, 4, 1, cfg.n_atoms_sub)
    batch = make_batch()
    loss, _ = drdrl_loss(net, net, batch, sub, full, 0.9, 0.0)
    with torch.no_grad():
        nxt = torch.softmax(net.logits(batch.next_obs)[:, 0], -1)
        a2 = (nxt @ full).argmax(-1)
        tz = batch.reward[:, None] + 0.9 * (~batch.terminated)[:, None] * full
        tgt = torch.as_tensor(
            loop_projection(tz.numpy(), nxt[torch.arange(16), a2].numpy(), full.numpy()), dtype=torch.float32
        )
    logp = torch.log_softmax(net.logits(batch.obs)[:, 0], -1)[torch.arange(16), batch.action]
    torch.testing.assert_close(loss, -(tgt * logp).sum(-1).mean(), rtol=1e-4, atol=1e-5)


def test_disentanglement_kl_reference_and_zero():
    f = rand_p((4, 3, 7), seed=3).float()
    sub_q = torch.tensor([[[1.0, 0, 0], [0, 1, 0]]] * 4)  # a*_0 = 0, a*_1 = 1
    j, a_star = disentanglement(f, sub_q, "kl")
    ref = [
        scipy.stats.entropy(f[b, 0].numpy(), f[b, 1].numpy())
        + scipy.stats.entropy(f[b, 1].numpy(), f[b, 0].numpy())
        for b in range(4)
    ]
    np.testing.assert_allclose(j.numpy(), ref, rtol=1e-4)
    assert a_star.tolist() == [[0, 1]] * 4
    same = torch.tensor([[[1.0, 0, 0], [2, 0, 0]]] * 4)
    assert torch.allclose(disentanglement(f, same, "kl")[0], torch.zeros(4))
    ce, _ = disentanglement(f, sub_q, "ce")
    ent = -(f * f.log()).sum(-1)  # [B, A]
    torch.testing.assert_close(ce - j, ent[:, 0] + ent[:, 1], rtol=1e-4, atol=1e-5)


def test_disentanglement_gradient_only_at_astar():
    logits = torch.randn(2, 3, 5, requires_grad=True)
    sub_q = torch.tensor([[[1.0, 0, 0], [0, 1, 0]]] * 2)
    j, _ = disentanglement(torch.softmax(logits, -1), sub_q)
    j.sum().backward()
    assert torch.all(logits.grad[:, 2] == 0) and logits.grad[:, :2].abs().sum() > 0
    with pytest.raises(ValueError, match="kind"):
        disentanglement(torch.softmax(logits, -1), sub_q, "tv")


def test_disentanglement_js_reference_bound_and_mean_over_pairs():
    from scipy.spatial.distance import jensenshannon

    f = rand_p((4, 3, 7), seed=5).float()
    sub_q = torch.tensor([[[1.0, 0, 0], [0, 1, 0], [0, 0, 1]]] * 4)  # a* = (0, 1, 2)
    j, _ = disentanglement(f, sub_q, "js")
    pairs = list(itertools.permutations(range(3), 2))
    ref = [np.mean([jensenshannon(f[b, i].numpy(), f[b, k].numpy()) ** 2 for i, k in pairs]) for b in range(4)]
    np.testing.assert_allclose(j.numpy(), ref, rtol=1e-4, atol=1e-6)
    # disjoint supports reach the bound ln 2 exactly; equal actions give 0
    disjoint = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    j_max, _ = disentanglement(disjoint, torch.tensor([[[1.0, 0], [0, 1.0]]]), "js")
    assert float(j_max) == pytest.approx(np.log(2), abs=1e-6)
    same, _ = disentanglement(f, torch.tensor([[[1.0, 0, 0], [2.0, 0, 0]]] * 4), "js")
    assert torch.allclose(same, torch.zeros(4))
    big = torch.softmax(torch.randn(64, 4, 9) * 8, -1)
    jb, _ = disentanglement(big, torch.randn(64, 3, 4), "js")
    assert bool((jb >= 0).all()) and bool((jb <= np.log(2) + 1e-6).all())


def test_per_channel_heads_shapes_and_independence():
    for emb in (False, True):
        torch.manual_seed(0)
        net = DRDRLNet(27, 4, 3, 5, channel_embedding=emb)
        obs = torch.rand(6, 27)
        p = net(obs)
        assert p.shape == (6, 3, 4, 5) and torch.allclose(p.sum(-1), torch.ones(6, 3, 4))
        assert net.full_probs(obs).shape == (6, 4, 13) and len(net.heads) == 3
        net.logits(obs)[:, 0].sum().backward()  # channel 0 only
        assert net.heads[0].weight.grad.abs().sum() > 0
        for k in (1, 2):
            g = net.heads[k].weight.grad
            assert g is None or bool((g == 0).all())
    # N = 1 is a plain C51 network: torso, one linear head, softmax over atoms
    net1 = DRDRLNet(27, 4, 1, 11)
    h = net1.torso(obs)
    ref = torch.softmax((h @ net1.heads[0].weight.T + net1.heads[0].bias).reshape(6, 4, 11), -1)
    torch.testing.assert_close(net1(obs)[:, 0], ref)
    torch.testing.assert_close(net1.full_probs(obs), ref)


def test_agent_update_finite():
    agent = DRDRLAgent(27, 4, AgentConfig(), seed=0)
    logs = agent.update(make_batch(n=8))
    assert all(np.isfinite(v) for v in logs.values()) and {"ce", "disent", "astar_agree"} <= set(logs)


def test_polyak_average_matches_numpy_recursion():
    """After k updates the evaluated weights equal theta_1 then d*avg + (1-d)*theta_t, computed by hand in numpy;
    exploration acts with the online network, evaluation with the average."""
    d = 0.9
    agent = DRDRLAgent(27, 4, AgentConfig(ema_decay=d, lr=1e-2), seed=0)
    avg = None
    for k in range(4):
        agent.update(make_batch(n=8, seed=k))
        theta = [p.detach().numpy().copy() for p in agent.net.parameters()]
        avg = theta if avg is None else [d * a + (1 - d) * t for a, t in zip(avg, theta, strict=True)]
    for got, want in zip(agent.policy_net.parameters(), avg, strict=True):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-7)
    assert agent.policy_net is not agent.net
    assert any(not np.allclose(a, p.detach().numpy()) for a, p in zip(avg, agent.net.parameters(), strict=True))
    obs = np.eye(27, dtype=np.float32)
    q_avg = agent.policy_net.q_values(torch.as_tensor(obs), agent.full_support).argmax(-1)
    q_on = agent.net.q_values(torch.as_tensor(obs), agent.full_support).argmax(-1)
    assert [agent.greedy(o) for o in obs] == q_avg.tolist()
    assert [agent.act(o, 0.0) for o in obs] == q_on.tolist()
    plain = DRDRLAgent(27, 4, AgentConfig(), seed=0)  # ema_decay = 0: the online network is evaluated
    assert plain.policy_net is plain.net and plain.averaged is None


@pytest.mark.parametrize(("value", "err"), [(1.0, ValueError), (-0.1, ValueError), ("0.9", TypeError), (True, TypeError)])
def test_ema_decay_bad(value, err):
    with pytest.raises(err, match="ema_decay"):
        AgentConfig(ema_decay=value)


# ---- decomposition score -------------------------------------------------------------------------
def test_score_permutation_shift_invariant_and_perfect():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(50, 2))
    s = decomposition_score(true, true)
    assert s.score == pytest.approx(1.0) and s.perm == (0, 1)
    swapped = decomposition_score(true[:, ::-1] * 3 + np.array([5.0, -2.0]), true)
    assert swapped.score == pytest.approx(1.0) and swapped.perm == (1, 0)
    noisy = true + rng.normal(size=true.shape)
    assert decomposition_score(noisy, true).score == pytest.approx(
        decomposition_score(noisy[:, ::-1] + 1, true).score
    )


def test_half_half_by_hand_and_bad_shapes():
    true = np.array([[1.0, 0], [0, 1], [1, 1], [0, 0]])
    learned = np.array([[1.0, 1], [1, 1], [2, 2], [0, 0]]) / 2
    s = decomposition_score(learned, true)
    total = learned.sum(1)
    hand = np.mean([np.corrcoef(total, true[:, c])[0, 1] for c in range(2)])
    assert s.half_half == pytest.approx(hand)
    with pytest.raises(ValueError, match="sub_q"):
        decomposition_score(np.zeros((4, 1)), true)
    with pytest.raises(ValueError, match="sub_q"):
        decomposition_score(np.zeros((3, 2)), true)


def test_subreward_trace():
    v = np.array([[1.0, 2.0], [0.5, 1.0], [0.2, 0.3]])
    np.testing.assert_allclose(subreward_trace(v, 0.5, True), [[0.75, 1.5], [0.5, 1.0]])
    with pytest.raises(ValueError, match="sub_q_taken"):
        subreward_trace(np.zeros((1, 2)), 0.9, False)


# ---- environment and ground truth ----------------------------------------------------------------
@pytest.mark.parametrize("env_id", list(envs.IDS))
def test_env_checker_and_channels(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(200):
        obs, r, term, trunc, info = env.step(int(rng.integers(4)))
        assert r == pytest.approx(float(info["reward_channels"].sum()))
        assert info["reward_channels"].dtype == np.float32 and env.observation_space.contains(obs)
        if term or trunc:
            obs, _ = env.reset()


def test_env_bad_kwargs():
    with pytest.raises(ValueError, match="payout_probs"):
        envs.CoinsGems(payout_probs=(0.5,))
    with pytest.raises(ValueError, match="items"):
        envs.CoinsGems(items=(((0, 0), 1.0), ((0, 0), 2.0)))


def test_tabular_matches_monte_carlo():
    env = envs.CoinsGems(payout_probs=(0.5, 0.5))
    model = env.tabular_model()
    gamma, s0 = 0.9, env.state_index((2, 2), np.zeros(2, bool))
    pi = np.random.default_rng(1).integers(4, size=model.P.shape[0])
    q = policy_evaluation(model.P, model.R, model.terminal, pi, gamma)
    env.reset(seed=3)
    rets = []
    for _ in range(3000):
        env.pos, env.flags = (2, 2), np.zeros(2, bool)
        a, g, disc = 1, np.zeros(2), 1.0
        for _ in range(200):
            obs, _, term, _, info = env.step(a)
            g += disc * info["reward_channels"]
            disc *= gamma
            if term:
                break
            a = int(pi[model.obs_to_state(obs)])
        rets.append(g)
    rets = np.array(rets)
    half = 2.6 * rets.std(0) / np.sqrt(len(rets)) + 1e-9
    assert np.all(np.abs(rets.mean(0) - q[s0, 1]) <= half)


def test_obs_state_roundtrip():
    env = envs.CoinsGems(items=envs.THREE_ITEMS)
    m = env.tabular_model()
    for s in (0, 17, 199):
        assert m.obs_to_state(m.state_to_obs(s)) == s
    assert envs.reachable(m).sum() < m.P.shape[0]


def test_untrained_score_small():
    env = gym.make("paperlab/CoinsGemsStochastic-v0")
    agent = DRDRLAgent(27, 4, AgentConfig(), seed=0)
    s = score_net(agent.net, env.unwrapped.tabular_model(), agent.sub_support, agent.full_support, 0.9)
    assert -1 <= s.score <= 1 and len(s.perm) == 2


# ---- identifiability -----------------------------------------------------------------------------
def test_fit_split_recovers_stochastic_and_not_deterministic():
    target = bernoulli_sum((0.8, 0.3), (1, 2), 5)
    np.testing.assert_allclose(target, [0.14, 0.56, 0.06, 0.24, 0.0])
    fit = fit_split(target, 2, 3, inits=4, steps=300, seed=0)
    truth = np.array([[0.2, 0.8, 0.0], [0.7, 0.0, 0.3]])
    assert max(split_distance(p, truth) for p in fit.sub_probs) <= 0.05
    det = fit_split(np.eye(7)[3], 2, 4, inits=6, steps=300, seed=0)
    assert det.losses.max() < 1e-2 and np.ptp(det.means()[:, 0]) >= 0.5
    with pytest.raises(ValueError, match="target"):
        fit_split(target, 2, 4)


def test_contextual_split_beats_half_half():
    from paperlab.drdrl.explore import contextual_split

    r = contextual_split(n_states=16, steps=600, seed=0)
    assert r.kl < 1e-2
    assert r.score.score >= 0.95 and r.score.score - r.score.half_half >= 0.15
    # half-half of the true split itself is (1/sqrt5 + 2/sqrt5)/2 for equal-variance p, q: a hand check in expectation
    assert 0.5 < r.score.half_half < 0.9
    with pytest.raises(ValueError, match="n_states"):
        contextual_split(n_states=2)


def test_optimum_and_exact_return():
    from paperlab.drdrl.experiments import exact_return, optimum
    from paperlab.rl.tabular import value_iteration

    assert optimum("paperlab/CoinsGemsStochastic-v0") == pytest.approx(1.5)
    assert optimum("paperlab/CoinsGems-v0") == pytest.approx(3.0)
    assert optimum("paperlab/CoinsGems-v0", 0.05) <= 3.0
    m = gym.make("paperlab/CoinsGems-v0").unwrapped.tabular_model()
    q, _ = value_iteration(m.P, m.R, m.terminal, 0.9)
    assert exact_return(q, m, 20, 0.0) == pytest.approx(3.0)
    assert exact_return(np.zeros_like(q), m, 20, 0.0) < 1.0  # always "up" collects at most the coin row


def test_run_one_records_evaluated_and_online_returns():
    """A short run: one exact return per checkpoint for the evaluated and the online network (equal when nothing is
    averaged), the final tables over every model state, and the variants of the E3 grid."""
    from dataclasses import replace

    from paperlab.drdrl import configs
    from paperlab.drdrl.experiments import run_one, variants
    from paperlab.rl.loop import LoopConfig

    loop = LoopConfig(300, 100, 2, 50, 150, 1, lambda t: 1.0, batch_size=16, eval_eps=0.05)
    cfg = configs.for_budget("smoke")
    res, agent = run_one(configs.STOCHASTIC_ID, replace(cfg.agent, ema_decay=0.0), loop, seed=0)
    assert res.eval_steps == [150, 300] and len(res.exact_returns) == len(res.online_exact_returns) == 2
    assert res.exact_returns == res.online_exact_returns
    assert np.array(res.final_tables["sub_q"]).shape == (100, 4, 2) and np.array(res.final_tables["q"]).shape == (100, 4)
    res_avg, agent_avg = run_one(configs.STOCHASTIC_ID, replace(cfg.agent, ema_decay=0.99), loop, seed=0)
    assert agent_avg.policy_net is not agent_avg.net and len(res_avg.online_exact_returns) == 2
    assert res_avg.online_exact_returns == pytest.approx(res.online_exact_returns)  # same online training
    v = variants(cfg)
    assert set(v) == {"DRDRL", "C51", "DRDRL-det", "DRDRL-lam0"}
    assert v["DRDRL-lam0"][1].lam == 0.0 and v["C51"][1].n_channels == 1 and v["DRDRL-det"][0] == configs.DETERMINISTIC_ID


def test_e0_ladder_smoke_writes_both_learners_and_repeats_a_plain_run():
    """The ladder at smoke: both learners, the configured seeds and steps, and a run equal to ``run_one`` alone."""
    import json

    from paperlab.core import paths
    from paperlab.drdrl import configs
    from paperlab.drdrl.experiments import e0_long, run_one

    cfg = configs.for_budget("smoke")
    name = e0_long("smoke")
    d = json.loads((paths.results_dir("drdrl", "smoke") / name).read_text())
    assert set(d["runs"]) == {"DRDRL", "DRDRL-lam0"} and d["steps"] == cfg.e0_loop.total_steps
    r = d["runs"]["DRDRL"][0]
    alone, _ = run_one(configs.STOCHASTIC_ID, cfg.agent, cfg.e0_loop, r["seed"])
    assert alone.exact_returns == pytest.approx(r["exact_returns"]) and alone.score == pytest.approx(r["score"])


def test_untrained_scores_equal_score_net_per_seed_and_bad_input():
    from paperlab.drdrl import configs
    from paperlab.drdrl.experiments import untrained_scores

    cfg = configs.for_budget("smoke").agent
    got = untrained_scores(configs.STOCHASTIC_ID, cfg, [3, 4])
    m = gym.make(configs.STOCHASTIC_ID).unwrapped.tabular_model()
    for s, g in zip([3, 4], got, strict=True):
        a = DRDRLAgent(27, 4, cfg, s)
        assert g == pytest.approx(score_net(a.net, m, a.sub_support, a.full_support, cfg.gamma).score)
    assert got[0] != got[1]
    with pytest.raises(ValueError, match="seeds"):
        untrained_scores(configs.STOCHASTIC_ID, cfg, [])
    with pytest.raises(ValueError, match="n_channels"):
        untrained_scores(configs.STOCHASTIC_ID, c51_config(cfg), [0])


def test_figures_and_trace_correlation():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from paperlab.drdrl.evaluate import trace_correlation
    from paperlab.drdrl.plots import split_figure, state_figure

    fig, fit = split_figure(0.8, 0.3, 3, False, inits=2, steps=50)
    assert len(fig.axes) == 3 and fit.sub_probs.shape == (2, 2, 3)
    plt.close(fig)
    with pytest.raises(ValueError, match="n_atoms_sub"):
        split_figure(0.5, 0.5, 2, False)
    env = gym.make("paperlab/CoinsGemsStochastic-v0")
    agent = DRDRLAgent(27, 4, AgentConfig(), seed=0)
    fig, sub, full = state_figure(agent, env, 2, 2, 1)
    np.testing.assert_allclose(full, np.convolve(sub[0], sub[1]), atol=1e-6)
    plt.close(fig)
    with pytest.raises(ValueError, match="row"):
        state_figure(agent, env, 7, 0, 0)
    s, half, traces = trace_correlation(agent, env, 2, seed=0)
    assert len(traces) == 2 and -1 <= s <= 1 and -1 <= half <= 1
    assert traces[0]["readout"].shape == (len(traces[0]["true"]), 2)


def test_mismatched_atom_counts_raise():
    z = torch.linspace(0, 5, 51)
    with pytest.raises(ValueError, match="tz and probs"):
        project_categorical(torch.zeros(2, 5), torch.ones(2, 4) / 4, z)
    with pytest.raises(ValueError, match="tz and probs"):
        categorical_target(torch.ones(2, 26) / 26, torch.zeros(2), torch.zeros(2, dtype=torch.bool), 0.9, z)
