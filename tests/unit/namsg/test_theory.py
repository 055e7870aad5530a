"""Theorem 1 closed forms against numpy eigenvalues, grids and direct simulation."""

import numpy as np
import pytest

from paperlab.namsg import theory as T


@pytest.mark.parametrize(
    "beta,mu,tau", [(0.999, 0.1, 0.2), (0.9, 0.0, 1.0), (0.99, 0.5, 3.0), (0.999, 0.05, 30)]
)
def test_gain_is_spectral_radius_and_trace_det(beta, mu, tau):
    M = T.iteration_matrix(beta, mu, tau, lam=2.5)
    assert T.gain_factor(beta, mu, tau) == pytest.approx(np.abs(np.linalg.eigvals(M)).max(), rel=1e-10)
    assert np.trace(M) == pytest.approx(T.trace(beta, mu, tau), rel=1e-12)
    assert np.linalg.det(M) == pytest.approx(T.determinant(beta, mu, tau), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("beta,mu", [(0.999, 0.05), (0.999, 0.1), (0.9, 0.1), (0.99, 0.3)])
def test_stability_boundary(beta, mu):
    tau = T.tau_stability(beta, mu)
    assert T.gain_factor(beta, mu, tau * (1 - 1e-6)) < 1 < T.gain_factor(beta, mu, tau * (1 + 1e-6))


@pytest.mark.parametrize(
    "mu,rmin,tau_min,tau_rb",
    [(0.05, 0.961, 1.50, 39.6), (0.1, 0.981, 0.373, 19.9), (0.2, 0.991, 0.089, 9.98)],
)
def test_section_2_4_table_and_argmin(mu, rmin, tau_min, tau_rb):
    beta = 0.999
    t = T.tau_cb2(beta, mu)
    assert abs(T.chi(beta, mu, t)) < 1e-12
    taus = np.linspace(1e-4, T.tau_stability(beta, mu) * 0.999, 400_001)
    g = T.gain_factor(beta, mu, taus)
    assert taus[g.argmin()] == pytest.approx(t, rel=1e-4)
    assert g.min() == pytest.approx(rmin, abs=6e-4)
    assert t == pytest.approx(tau_min, rel=5e-3)
    assert T.tau_stability(beta, mu) == pytest.approx(tau_rb, rel=3e-3)


def test_mu_zero_complex_gain_is_sqrt_beta():
    taus = np.linspace(0.05, 100, 50)
    np.testing.assert_allclose(T.gain_factor(0.999, 0.0, taus), np.sqrt(0.999), rtol=1e-12)
    assert T.tau_stability(0.999, 0.0) == pytest.approx(3998)


def test_obsb_ratio_and_eta():
    assert T.obsb_lr_ratio(0.999, 0.05, 0.1) == pytest.approx(0.2483, abs=1e-4)
    assert T.obsb_lr_ratio(0.9, 0.1, 0.2) == pytest.approx(0.436, abs=1e-3)
    assert T.eta_from_mu(0.999, 0.1) == pytest.approx(99.9)
    assert T.eta_from_mu(0.9, 0.1) == pytest.approx(0.9)
    assert T.mu_from_eta(0.999, T.eta_from_mu(0.999, 0.37)) == pytest.approx(0.37)


@pytest.mark.parametrize(
    "kappa,c,table",
    [
        (1e4, (1, 1, 1), 0.99494),
        (1e4, (2, 0.5, 0.4), 0.99453),
        (1e4, (4, 1, 0.4), 0.99552),
        (1e6, (1, 1, 1), 0.99950),
    ],
)
def test_guideline_rates(kappa, c, table):
    gd = T.guideline(kappa, 3.0, *c)
    taus = np.geomspace(c[2] / np.sqrt(kappa), c[2] * np.sqrt(kappa), 20_001)
    worst = T.gain_factor(gd["beta"], gd["mu"], taus)
    assert worst.max() == pytest.approx(table, abs=1e-5)
    assert worst.max() == pytest.approx(gd["predicted_rate"], abs=1e-4)
    assert worst.argmax() == 0  # the lowest-curvature direction is the slowest
    assert gd["alpha"] == pytest.approx(c[2] * np.sqrt(kappa) / 3.0)


@pytest.mark.parametrize("tau", [0.1, 0.373, 1.0, 5.0, 15.0])
def test_simulation_contracts_at_gain(tau):
    r = T.simulated_contraction(0.999, 0.1, tau, steps=4000)
    assert r == pytest.approx(T.gain_factor(0.999, 0.1, tau), rel=1e-2)


def test_bad_inputs():
    with pytest.raises(ValueError, match="beta"):
        T.gain_factor(1.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="mu"):
        T.tau_cb2(0.9, 1.5)
    with pytest.raises(ValueError, match="c_a"):
        T.guideline(1e4, 1.0, 1, 1, 2)
    with pytest.raises(ValueError, match="mu_old"):
        T.obsb_lr_ratio(0.9, 0.0, 0.1)
    with pytest.raises(ValueError, match="steps"):
        T.simulated_contraction(0.9, 0.1, 1.0, steps=2)
