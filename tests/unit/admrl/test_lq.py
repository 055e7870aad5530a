import numpy as np
import pytest
import torch

from paperlab.admrl import lq, reinforce, tasks

FAM = tasks.PointMassFamily(0.0)
PSI = torch.tensor([1.2, -0.7], dtype=torch.float64)


def test_riccati_matches_scipy_dare():
    sl = pytest.importorskip("scipy.linalg")
    A, B, Q = lq.augmented(FAM, PSI)
    _, P = lq.dlqr_discounted(A, B, Q, FAM.R, FAM.gamma)
    g = np.sqrt(FAM.gamma)
    ref = sl.solve_discrete_are(g * A.numpy(), g * B.numpy(), Q.numpy(), FAM.R.numpy())
    assert np.abs(P.numpy() - ref).max() / np.abs(ref).max() < 1e-8


def test_lyapunov_matches_fixed_point_iteration_and_lqr_gap_is_zero():
    theta = lq.optimal_theta(FAM, PSI)
    v_star = lq.optimal_value(FAM, PSI)
    assert abs(float(lq.affine_policy_value(theta, 0.0, PSI, FAM) - v_star)) < 1e-8
    # independent: P <- C + gamma F^T P F iterated
    A, B, Q = lq.augmented(FAM, PSI)
    W = theta.reshape(2, 5)
    F = A + B @ W
    C = Q + W.T @ FAM.R @ W
    P = torch.zeros(5, 5, dtype=torch.float64)
    for _ in range(2000):
        P = C + FAM.gamma * F.T @ P @ F
    assert abs(float(-torch.trace(P @ lq.start_moment(4)) - v_star)) < 1e-8 * abs(float(v_star))


def test_random_policies_have_nonnegative_gap():
    g = torch.Generator().manual_seed(0)
    v_star = lq.optimal_value(FAM, PSI)
    for _ in range(5):
        th = lq.optimal_theta(FAM, PSI) + 0.3 * torch.randn(10, generator=g, dtype=torch.float64)
        assert float(v_star - lq.affine_policy_value(th, 0.0, PSI, FAM)) >= 0


@pytest.mark.parametrize("sigma,shift", [(0.0, 0.0), (0.3, 0.4)])
def test_value_matches_monte_carlo(sigma, shift):
    theta = lq.optimal_theta(FAM, PSI) + shift * torch.randn(
        10, generator=torch.Generator().manual_seed(3), dtype=torch.float64
    )
    exact = float(lq.affine_policy_value(theta, sigma, PSI, FAM))
    traj = reinforce.sample(FAM, theta, max(sigma, 1e-12), 10_000, 200, torch.Generator().manual_seed(1))
    r = FAM.reward(traj["S"], traj["A"], PSI)
    mc = float((r * FAM.gamma ** torch.arange(200, dtype=torch.float64)).sum(1).mean())
    assert abs(mc - exact) < 0.01 * abs(exact)


def test_bad_inputs():
    with pytest.raises(ValueError, match="gamma"):
        lq.dlqr_discounted(*lq.augmented(FAM, PSI), FAM.R, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        lq.affine_policy_value(torch.zeros(10, dtype=torch.float64), -0.1, PSI, FAM)
    with pytest.raises(ValueError, match="box"):
        lq.optimal_value(FAM, torch.tensor([3.0, 0.0]))
    with pytest.raises(ValueError, match="dimension"):
        lq.optimal_value(FAM, torch.tensor([0.0, 0.0, 0.0]))
