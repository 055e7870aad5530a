"""Per-task L-BFGS: exact minimisers on closed forms, and no coupling between tasks of one batch."""

import pytest
import torch
from scipy.optimize import minimize

from paperlab.admrl import loop, planning, tasks
from paperlab.admrl.configs import for_budget, with_overrides


def test_separable_quadratics_reach_their_closed_form_minimisers():
    gen = torch.Generator().manual_seed(0)
    T, p = 5, 4
    A = torch.randn(T, p, p, generator=gen, dtype=torch.float64)
    # badly scaled SPD matrices, one per task (condition numbers up to ~1e4)
    H = A @ A.transpose(1, 2) + torch.logspace(-2, 2, T, dtype=torch.float64)[:, None, None] * torch.eye(p, dtype=torch.float64)
    b = torch.randn(T, p, generator=gen, dtype=torch.float64)
    f = lambda x: 0.5 * torch.einsum("tp,tpq,tq->t", x, H, x) - (b * x).sum(1)
    x, info = planning.lbfgs_per_task(f, torch.zeros(T, p, dtype=torch.float64), iters=200)
    exact = torch.linalg.solve(H, b)
    assert torch.allclose(x, exact, atol=1e-7), (x - exact).abs().max()


def test_rosenbrock_rows_match_scipy_lbfgs():
    scales = torch.tensor([1.0, 10.0, 100.0], dtype=torch.float64)
    f = lambda x: (1 - x[:, 0]) ** 2 + scales * (x[:, 1] - x[:, 0] ** 2) ** 2
    x, _ = planning.lbfgs_per_task(f, torch.full((3, 2), -1.2, dtype=torch.float64), iters=2000)
    for i, c in enumerate(scales.tolist()):
        ref = minimize(lambda z, c=c: (1 - z[0]) ** 2 + c * (z[1] - z[0] ** 2) ** 2, [-1.2, -1.2], method="L-BFGS-B",
                       options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 2000}).x
        assert x[i].tolist() == pytest.approx(list(ref), abs=1e-5)


def test_a_tasks_plan_does_not_depend_on_its_batch_mates():
    fam = tasks.PointMassFamily(2.0)
    cfg = with_overrides(for_budget("smoke"), horizon=12)
    s0 = loop.eval_states(fam, cfg, 0)
    grid = fam.box.grid(3)
    alone, _ = planning.plan(fam.step, fam, grid[4:5], s0, cfg.horizon, 25)
    batch, _ = planning.plan(fam.step, fam, grid, s0, cfg.horizon, 25)
    shuffled, _ = planning.plan(fam.step, fam, grid.flip(0), s0, cfg.horizon, 25)
    assert torch.allclose(alone[0], batch[4], atol=1e-10, rtol=0)
    assert torch.allclose(batch, shuffled.flip(0), atol=1e-10, rtol=0)


def test_bad_arguments():
    f = lambda x: (x**2).sum(1)
    with pytest.raises(ValueError, match="iters"):
        planning.lbfgs_per_task(f, torch.zeros(2, 2), iters=0)
    with pytest.raises(ValueError, match="x0"):
        planning.lbfgs_per_task(f, torch.zeros(2), iters=5)


def test_the_trust_radius_bounds_every_step():
    f = lambda x: (1e-4 * x**2).sum(1)  # a tiny gradient: the first L-BFGS step would be huge
    x0 = torch.full((2, 3), 100.0, dtype=torch.float64)
    x, _ = planning.lbfgs_per_task(f, x0, iters=1, max_step=0.5)
    assert float((x - x0).norm(dim=1).max()) <= 0.5 + 1e-12
    with pytest.raises(ValueError, match="max_step"):
        planning.lbfgs_per_task(f, x0, iters=1, max_step=0.0)
