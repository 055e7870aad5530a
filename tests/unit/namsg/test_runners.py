"""Schedules, runners, explorer logic, data and exercises."""

import numpy as np
import pytest
import torch

from paperlab.core.exercises import check
from paperlab.namsg import NAMSG, ObservationBoost, bench, configs, explore, theory
from paperlab.namsg import exercises as ex


class FakeOpt:
    def __init__(self):
        self.calls = 0

    def boost(self, factor, lr_ratio=None):
        self.calls += 1


def test_boost_at_epoch_and_rate_trigger():
    opt = FakeOpt()
    b = ObservationBoost(opt, at_epoch=3)
    assert [b.on_epoch_end(x) for x in (1.0, 0.5, 0.3, 0.2)] == [False, False, True, False]
    opt = FakeOpt()
    b = ObservationBoost(opt, k=1)
    # rates: log(1/0.5)=0.69 (reference), then 0.51 (not halved), then 0.1 (halved -> boost)
    fired = [b.on_epoch_end(x) for x in (1.0, 0.5, 0.3, 0.27, 0.1)]
    assert fired == [False, False, False, True, False] and b.boost_epochs == [4]


def test_boost_k_must_be_positive():
    with pytest.raises(ValueError, match="k"):
        ObservationBoost(FakeOpt(), k=0)


def test_boost_on_real_optimizer_changes_groups():
    opt = NAMSG([torch.zeros(2, requires_grad=True)], lr=1.0, mu=0.05)
    ObservationBoost(opt, at_epoch=1).on_epoch_end(1.0)
    assert opt.param_groups[0]["mu"] == pytest.approx(0.1)
    assert opt.param_groups[0]["lr"] == pytest.approx(theory.obsb_lr_ratio(0.999, 0.05, 0.1))


def test_epochs_to_reach():
    assert bench.epochs_to_reach([3.0, 2.0, 1.0, 0.5], 1.0) == 2
    assert bench.epochs_to_reach([3.0, 2.0], 0.1) is None


def test_grid_search_and_training_decreases():
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(200, 64, generator=g), torch.randint(0, 10, (200,), generator=g)
    data = (X, y, X[:50], y[:50])
    res = bench.grid_search(lambda lr, s: bench.run("NAMSG", "logreg", lr, s, data, 3, 32), [0.01, 0.1], [0])
    assert res["configs"] == 2 and res["best_lr"] in (0.01, 0.1) and res["best_on_edge"]
    h = res["histories"][0.1][0]["train_loss"]
    assert len(h) == 4 and h[-1] < h[0]
    with pytest.raises(ValueError, match="name"):
        bench.make_optimizer("Foo", [torch.zeros(1)], 0.1)
    with pytest.raises(ValueError, match="kind"):
        bench.make_model("cnn", 0)


def test_quadratic_trajectories_follow_theory():
    out = explore.quadratic_trajectories(0.9, 0.1, 1.0, kappa=10.0, steps=600)
    assert out["xy"].shape == (601, 2) and out["stable"]
    # the slow (y) coordinate decays like r_g(tau/kappa)^t once its slow mode dominates
    r = (abs(out["xy"][600, 1]) / abs(out["xy"][300, 1])) ** (1 / 300)
    assert r == pytest.approx(out["gain"][1], rel=2e-2)
    unstable = explore.quadratic_trajectories(0.9, 0.1, 1.01 * theory.tau_stability(0.9, 0.1), 10.0, 3000)
    assert not unstable["stable"] and not np.isfinite(unstable["f"][-1])
    with pytest.raises(ValueError, match="kappa"):
        explore.quadratic_trajectories(0.9, 0.1, 1.0, kappa=0.5, steps=10)


def test_optimizer_trajectories_shapes():
    out = explore.optimizer_trajectories(kappa=50, steps=20)
    assert set(out) == {"SGD-momentum", "Adam", "NAdam", "AMSGrad", "NAMSG"}
    assert all(v.shape == (21, 2) and np.allclose(v[0], 1.0) for v in out.values())
    with pytest.raises(ValueError, match="lr_scale"):
        explore.optimizer_trajectories(10, 5, lr_scale=0)


@pytest.mark.parametrize("budget", ["smoke", "lab", "paper"])
def test_configs(budget):
    cfg = configs.for_budget(budget)
    assert set(cfg.logreg_lrs) == set(bench.METHODS) == set(cfg.mlp_lrs)
    assert 0.1 in cfg.mu_sweep and 0.0 in cfg.mu_sweep


@pytest.mark.parametrize(
    "name,solution",
    [
        ("namsg.step", ex.namsg_step_reference),
        ("namsg.iteration_matrix", theory.iteration_matrix),
        ("namsg.obsb_lr_ratio", theory.obsb_lr_ratio),
        ("namsg.tau_stability", theory.tau_stability),
    ],
)
def test_exercises_fail_on_stub_pass_on_solution(name, solution, monkeypatch):
    monkeypatch.delenv("PAPERLAB_STRICT_EXERCISES", raising=False)

    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert not check(name, stub, quiet=True)
    assert check(name, solution, quiet=True)


def test_step_exercise_matches_optimizer():
    p = torch.randn(6, dtype=torch.float64)
    g = torch.randn(6, dtype=torch.float64)
    q = p.clone().requires_grad_(True)
    opt = NAMSG([q], lr=0.1, betas=(0.999, 0.99), mu=0.1, eps=1e-8)
    q.grad = g.clone()
    opt.step()
    z = torch.zeros(6, dtype=torch.float64)
    new_p, *_ = ex.namsg_step_reference(p, g, z, z, torch.full_like(p, 1e-8), 0.1, 0.999, 0.99, 0.1)
    torch.testing.assert_close(new_p, q.detach(), rtol=0, atol=1e-14)


def test_explorer_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = explore.plot_remote(0.999, 0.1, 0.373, 100.0, 50)
    assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) >= 3
    fig2 = explore.plot_optimizers(20.0, 10)
    assert len(fig2.axes[1].get_lines()) == 5
    plt.close("all")


def test_char_corpus_and_gru():
    from paperlab.namsg import text

    ids, vocab, digest = text.char_corpus(3000)
    assert ids.shape == (3000,) and int(ids.max()) < len(vocab) and len(digest) == 12
    out = text.train_char_gru("NAMSG", 0.05, ids, len(vocab), steps=6, seed=0, seq=16, batch=4)
    assert len(out["train_bpc"]) == 6 and all(np.isfinite(out["train_bpc"]))
    assert out["train_bpc"][0] == pytest.approx(np.log2(len(vocab)), rel=0.2)  # near-uniform at init
    with pytest.raises(ValueError, match="n_chars"):
        text.char_corpus(10)
    with pytest.raises(ValueError, match="steps"):
        text.train_char_gru("Adam", 0.01, ids, len(vocab), steps=2, seed=0)


@pytest.mark.parametrize(("mu", "frac"), [(0.05, 0.5), (0.1, 1.0), (0.2, 2.0)])
def test_namsg_class_on_the_quadratic_contracts_at_r_g(mu, frac):
    # the optimizer class itself (not the scalar recurrence) against the closed form r_g(tau) (N4)
    tau = frac * theory.tau_cb2(0.999, mu)
    got = bench.quadratic_contraction(0.999, mu, tau, steps=3000)
    assert got == pytest.approx(theory.gain_factor(0.999, mu, tau), rel=1e-2)
    # and it equals the independent scalar simulation of the same rule
    assert got == pytest.approx(theory.simulated_contraction(0.999, mu, tau, steps=3000), rel=1e-9)
    with pytest.raises(ValueError, match="steps"):
        bench.quadratic_contraction(0.999, mu, tau, steps=5)


def test_boost_keeping_lr_changes_only_mu():
    opt = NAMSG([torch.zeros(2, requires_grad=True)], lr=1.0, mu=0.05)
    ObservationBoost(opt, at_epoch=1, lr_ratio=1.0).on_epoch_end(1.0)
    assert opt.param_groups[0]["mu"] == pytest.approx(0.1) and opt.param_groups[0]["lr"] == 1.0
    with pytest.raises(ValueError, match="lr_ratio"):
        ObservationBoost(opt, lr_ratio=0.0)


def test_rate_trigger_fires_in_a_real_run_and_tuned_sweep():
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(300, 64, generator=g), torch.randint(0, 10, (300,), generator=g)
    data = (X, y, X[:50], y[:50])
    h = bench.run("NAMSG-OBSB", "logreg", 1.0, 0, data, 12, 32)
    assert len(h["boost_epochs"]) == 1 and 4 <= h["boost_epochs"][0] <= 12  # first rate window ends at epoch 4
    out = bench.tuned_mu_sweep((0.0, 0.1), (0.03, 0.3), (0, 1), data, 2, 64, kind="logreg")
    assert set(out) == {0.0, 0.1} and all(len(r["histories"]) == 2 for r in out.values())
    assert all(r["best_lr"] in (0.03, 0.3) for r in out.values())
    with pytest.raises(ValueError, match="non-empty"):
        bench.tuned_mu_sweep((), (0.1,), (0,), data, 1, 64)


def test_paper_budget_configs_build_and_step_at_full_size():
    # every model of the paper budget's plan, at its full input width and batch size: one finite step
    from paperlab.namsg import mnist

    cfg, mcfg = configs.for_budget("paper"), mnist.for_budget("paper")
    plan = bench.paper_plan(cfg, mcfg)
    assert {(r["task"], r["kind"]) for r in plan} == {(t, k) for t in ("digits", "MNIST-5k") for k in ("logreg", "mlp")}
    for r in plan:
        assert r["steps"] == r["runs"] * r["epochs"] * -(-r["n_train"] // cfg.batch_size) > 0
        for method in ("Adam", "NAMSG"):
            assert bench.one_step_seconds(r["kind"], r["n_in"], cfg.batch_size, method) > 0
    # the N7 timing model at its full size (5M parameters): one interleaved round of every optimizer
    n, times = bench.step_times(cfg.time_params, 1)
    assert n == cfg.time_params and all(len(v) == 1 and v[0] > 0 for v in times.values())
