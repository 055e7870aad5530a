import numpy as np
import pytest
import torch

from paperlab.admrl import configs, gap, loop, planning, reinforce, tasks
from paperlab.admrl import reinforce_gap as rg
from paperlab.admrl.policies import act

WIND, LQ = tasks.PointMassFamily(2.0), tasks.PointMassFamily(0.0)


def _gae_numpy(r, v, gamma, lam, done):
    """Brute force: A_t = sum_l (gamma lam)^l delta_{t+l}, stopping after a terminal step."""
    n, H = r.shape
    out = np.zeros((n, H))
    for i in range(n):
        for t in range(H):
            acc, w = 0.0, 1.0
            for u in range(t, H):
                nxt = 0.0 if done[i, u] else v[i, u + 1]
                acc += w * (r[i, u] + gamma * nxt - v[i, u])
                if done[i, u]:
                    break
                w *= gamma * lam
            out[i, t] = acc
    return out


def test_gae_hand_computed_episode():
    # r = (1, 2), V = (0.5, 1.0, 0) , gamma = 0.5, lam = 0.5:
    # delta_1 = 2 + 0 - 1 = 1; delta_0 = 1 + 0.5 * 1 - 0.5 = 1; A_1 = 1; A_0 = 1 + 0.25 * 1 = 1.25
    r = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    out = reinforce.gae(r, torch.tensor([0.5, 1.0, 0.0], dtype=torch.float64), 0.5, 0.5)
    torch.testing.assert_close(out, torch.tensor([[1.25, 1.0]], dtype=torch.float64))
    # terminal at t = 0: no bootstrap, no accumulation: A_0 = 1 - 0.5
    done = torch.tensor([[True, False]])
    out = reinforce.gae(r, torch.tensor([0.5, 1.0, 0.0], dtype=torch.float64), 0.5, 0.5, done)
    torch.testing.assert_close(out, torch.tensor([[0.5, 1.0]], dtype=torch.float64))


def test_gae_equals_brute_force_and_limits():
    g = torch.Generator().manual_seed(0)
    r = torch.randn(4, 7, generator=g, dtype=torch.float64)
    v = torch.randn(4, 8, generator=g, dtype=torch.float64)
    done = torch.rand(4, 7, generator=g) < 0.2
    for lam in (0.0, 0.7, 1.0):
        ref = _gae_numpy(r.numpy(), v.numpy(), 0.9, lam, done.numpy())
        np.testing.assert_allclose(reinforce.gae(r, v, 0.9, lam, done).numpy(), ref, rtol=1e-12, atol=1e-12)
    # lam = 1 with no terminals: discounted rewards-to-go (bootstrapped by V_H) minus the baseline
    boot = torch.cat([r, v[:, -1:]], 1)
    rtg = reinforce.rewards_to_go(boot, 0.9)[:, :-1]
    torch.testing.assert_close(reinforce.gae(r, v, 0.9, 1.0), rtg - v[:, :-1])
    # lam = 0: the TD residuals
    torch.testing.assert_close(reinforce.gae(r, v, 0.9, 0.0), r + 0.9 * v[:, 1:] - v[:, :-1])


def test_gae_is_differentiable_like_its_coefficient_matrix():
    g = torch.Generator().manual_seed(1)
    r = torch.randn(3, 5, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(6, generator=g, dtype=torch.float64)
    gl = 0.9 * 0.8
    M = torch.triu(gl ** (torch.arange(5)[None, :] - torch.arange(5)[:, None]).clamp_min(0).double())
    delta_const = 0.9 * v[1:] - v[:-1]
    explicit = (r + delta_const) @ M.T
    torch.testing.assert_close(reinforce.gae(r, v, 0.9, 0.8), explicit)
    w = torch.randn(3, 5, generator=g, dtype=torch.float64)
    g1 = torch.autograd.grad((reinforce.gae(r, v, 0.9, 0.8) * w).sum(), r)[0]
    g2 = torch.autograd.grad((explicit * w).sum(), r)[0]
    torch.testing.assert_close(g1, g2)


def test_gae_bad_inputs():
    r = torch.zeros(2, 3, dtype=torch.float64)
    with pytest.raises(ValueError, match="values"):
        reinforce.gae(r, torch.zeros(3), 0.9, 0.9)
    with pytest.raises(ValueError, match="lam"):
        reinforce.gae(r, torch.zeros(4), 0.9, 1.5)
    with pytest.raises(ValueError, match="rewards"):
        reinforce.gae(torch.zeros(3), torch.zeros(4), 0.9, 0.9)
    with pytest.raises(ValueError, match="terminated"):
        reinforce.gae(r, torch.zeros(4), 0.9, 0.9, torch.zeros(2, 2, dtype=torch.bool))


def test_dense_hessian_equals_score_hvp_rows():
    s0 = WIND.reset(4, torch.Generator().manual_seed(0))
    theta = 0.3 * torch.randn(10, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    psi = torch.tensor([0.5, -0.2], dtype=torch.float64)
    tr = rg.sample(WIND.step, WIND, theta, s0, 6, 3, 0.3, 3.0, torch.Generator().manual_seed(2))
    Hd = rg.hessian(WIND, theta, psi, tr, 0.9)
    # per-row scores and Hessians of log pi by plain autodiff, one (trajectory, step) at a time
    w = (0.9 ** torch.arange(3.0, dtype=torch.float64) * rg.advantages(WIND, tr, psi, 0.9)).reshape(-1)
    rows = [(i, t) for i in range(6) for t in range(3)]

    def lp(i, t):
        return lambda th: rg.log_prob(WIND, th, tr)[i, t]

    sc = torch.stack([torch.autograd.functional.jacobian(lp(i, t), theta) for i, t in rows])
    hl = torch.stack([torch.autograd.functional.hessian(lp(i, t), theta) for i, t in rows])
    v = torch.randn(10, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    torch.testing.assert_close(Hd @ v, 3 * reinforce.score_hvp(sc, hl, w, v))


def test_reinforce_hvp_unbiased_at_horizon_one():
    """At H = 1 the per-step estimator is the score-function Hessian: its mean over batches matches the exact H v.

    Exact: V(theta) = mean_s0 E r(s0, mu + sigma eps) = const - 0.1 mean_s0 (|mu_theta(s0)|^2 + m sigma^2).
    """
    s0 = WIND.reset(8, torch.Generator().manual_seed(0))
    theta = 0.4 * torch.randn(10, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    psi = torch.tensor([1.0, -0.5], dtype=torch.float64)
    v = torch.randn(10, generator=torch.Generator().manual_seed(2), dtype=torch.float64)

    def v_exact(th):
        mu = act(th[None], WIND.features(s0)[None], 3.0)[0]
        return -0.1 * (mu * mu).sum(-1).mean()

    hv_exact = torch.autograd.functional.hessian(v_exact, theta) @ v
    gen = torch.Generator().manual_seed(3)
    est = torch.stack(
        [rg.hessian(WIND, theta, psi, rg.sample(WIND.step, WIND, theta, s0, 4000, 1, 0.3, 3.0, gen), 0.95) @ v
         for _ in range(16)]
    )
    mean, se = est.mean(0), est.std(0) / 4.0
    assert bool(((mean - hv_exact).abs() <= 4 * se + 1e-3 * hv_exact.abs().max()).all())
    assert float(se.max()) < 0.2 * float(hv_exact.abs().max())  # the test has power


@pytest.fixture(scope="module")
def wind_setup():
    """Model = the wind-free system, truth = wind (as in test_gap.py): a fixed model error."""
    H = 20
    s0 = WIND.reset(8, torch.Generator().manual_seed(0))
    pts = torch.tensor([[-1.0, 0.5], [1.2, -0.8]], dtype=torch.float64)
    th_star, _ = planning.oracle(WIND, pts, s0, H, 100, 1, torch.Generator().manual_seed(1))
    th_hat, _ = planning.plan(LQ.step, WIND, pts, s0, H, 100)
    return s0, pts, th_star, th_hat, H


def test_reinforce_gap_gradient_against_exact_ift(wind_setup):
    s0, pts, th_star, th_hat, H = wind_setup
    for i in range(2):
        ge, pe = gap.gap_gradient(LQ.step, WIND, pts[i], th_hat[i], th_star[i], s0, H)
        gen = torch.Generator().manual_seed(i)
        kw = {"n_real": 2048, "n_model": 8192}
        gr, pr = rg.gap_gradient_reinforce(LQ.step, WIND, pts[i], th_hat[i], th_star[i], s0, H, gen, lam=1.0, **kw)
        # the real-system envelope terms are sampled pathwise: close to the exact ones
        env_e, env_r = pe["dpsi_opt"] - pe["dpsi_hat"], pr["dpsi_opt"] - pr["dpsi_hat"]
        assert float((env_r - env_e).norm() / env_e.norm()) < 0.05
        # with reward-to-go weights (lam = 1) the whole gradient points the right way ...
        assert float(gr @ ge / (gr.norm() * ge.norm())) > 0.7
        # ... but the official per-step Hessian (cross-time terms dropped) shrinks the implicit term: the bias
        assert float(pr["implicit"].norm()) < 0.8 * float(pe["implicit"].norm())
        assert pr["real_samples_used"] == 2 * 2048 * H


def test_reinforce_gap_gradient_bad_inputs(wind_setup):
    s0, pts, th_star, th_hat, H = wind_setup
    gen = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match="lam"):
        rg.gap_gradient_reinforce(LQ.step, WIND, pts[0], th_hat[0], th_star[0], s0, H, gen, lam=-0.1)
    with pytest.raises(ValueError, match="sigma"):
        rg.gap_gradient_reinforce(LQ.step, WIND, pts[0], th_hat[0], th_star[0], s0, H, gen, sigma=0.0)
    with pytest.raises(ValueError, match="task box"):
        rg.gap_gradient_reinforce(LQ.step, WIND, pts[0] * 5, th_hat[0], th_star[0], s0, H, gen)


def test_run_admrl_estimators_and_shadow():
    cfg = configs.with_overrides(
        configs.for_budget("smoke"), horizon=8, plan_iters=4, oracle_iters=4, grid_n=2, fit_steps=5,
        reinforce_real=16, reinforce_model=32,
    )
    fam = tasks.make_family("wind")
    plain = loop.run_admrl(fam, "adversarial", cfg, 0)
    shadowed = loop.run_admrl(fam, "adversarial", cfg, 0, shadow=True)
    assert shadowed.psi == plain.psi and shadowed.worst_gap == plain.worst_gap  # the shadow does not steer
    assert len(shadowed.grad_cosine) == cfg.n_tasks and all(-1 <= c <= 1 for c in shadowed.grad_cosine)
    assert len(shadowed.repeat_cosine) == cfg.n_tasks and all(-1 <= c <= 1 for c in shadowed.repeat_cosine)
    sg = shadowed.shadow_grads[0]
    e, r = torch.tensor(sg["exact"]), torch.tensor(sg["reinforce"])
    assert abs(float(e @ r / (e.norm() * r.norm())) - shadowed.grad_cosine[0]) < 1e-5
    assert plain.grad_cosine == [] and plain.adversary_real_samples == [0] * cfg.n_tasks
    rf = loop.run_admrl(fam, "adversarial", cfg, 0, estimator="reinforce")
    assert rf.to_json() == loop.run_admrl(fam, "adversarial", cfg, 0, estimator="reinforce").to_json()
    assert rf.estimator == "reinforce" and rf.adversary_real_samples == [2 * 16 * 8] * cfg.n_tasks
    assert rf.psi[0] == plain.psi[0]
    with pytest.raises(ValueError, match="estimator"):
        loop.run_admrl(fam, "adversarial", cfg, 0, estimator="autodiff")
    with pytest.raises(ValueError, match="estimator"):
        loop.run_seeds("wind", cfg, [0], ("adversarial",), estimator="reinforcement")
