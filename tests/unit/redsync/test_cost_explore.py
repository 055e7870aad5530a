"""The alpha-beta cost model: golden values, break-even, fit, monotonicity; the explorer logic."""

import math

import numpy as np
import pytest

from paperlab.redsync.cost import (
    Network,
    break_even_p,
    fit_alpha_beta,
    predicted_speedup_grid,
    speedup,
    t_allgather,
    t_allreduce_rabenseifner,
    t_allreduce_ring,
)
from paperlab.redsync.explore import speedup_curves


def test_golden_values_from_the_brief():
    net = Network.from_gbps(10, 50e-6)
    n = 25.6e6
    assert t_allreduce_ring(4 * n, 8, net) == pytest.approx(144.06e-3, rel=1e-4)
    assert t_allgather(8 * 1e-3 * n, 8, net) == pytest.approx(1.29688e-3, rel=1e-4)
    assert float(speedup(n, 8, 1e-3, net)) == pytest.approx(111, rel=5e-3)
    assert float(speedup(138e6, 2048, 1e-3, net)) == pytest.approx(0.6, abs=0.005)
    assert float(speedup(66e6, 8, 1e-3, Network.from_gbps(100, 5e-6))) == pytest.approx(119, rel=5e-3)


def test_closed_forms_by_hand():
    net = Network(alpha=1e-3, beta=1e-9, gamma=1e-10)
    m, p = 1e6, 4
    assert t_allreduce_ring(m, p, net) == pytest.approx(6e-3 + 1.5e-3 + 0.75e-4)
    assert t_allreduce_rabenseifner(m, p, net) == pytest.approx(4e-3 + 1.5e-3 + 0.75e-4)
    assert t_allgather(1e3, p, net, algo="ring") == pytest.approx(3e-3 + 3e-6)
    with pytest.raises(ValueError, match="algo"):
        t_allgather(1e3, p, net, algo="tree")
    with pytest.raises(ValueError, match="p must"):
        t_allreduce_ring(1e3, 0, net)


def test_break_even():
    assert break_even_p(1e-3, 8) == 1000
    assert break_even_p(1e-3, 4) == 2000
    # with a zero-latency network the numeric break-even is the first integer past the closed form
    net = Network(alpha=0.0, beta=1e-9)
    assert break_even_p(1e-3, 8, net=net, n=1e6) == 1000
    assert break_even_p(1e-3, 8, net=net, n=1e6, t_select=1.0) == 2  # a slow selection never pays
    with pytest.raises(ValueError, match="density"):
        break_even_p(0.0)


def test_fit_alpha_beta_recovers_synthetic_values():
    sizes = np.geomspace(4096, 4 << 20, 12)
    rng = np.random.default_rng(0)
    alpha, beta = 3e-4, 0.9e-9
    times = (alpha + beta * sizes) * (1 + 0.001 * rng.standard_normal(sizes.size))
    net, resid = fit_alpha_beta(sizes, times)
    assert net.alpha == pytest.approx(alpha, rel=0.01) and net.beta == pytest.approx(beta, rel=0.01)
    assert resid.shape == sizes.shape
    with pytest.raises(ValueError, match="sizes_bytes"):
        fit_alpha_beta([1.0], [1.0])


def test_speedup_grid_is_monotone_in_bandwidth_for_fixed_compute():
    grid = predicted_speedup_grid(25.6e6, 1e-3, [8, 64], [1, 10, 100], t_comp=0.05)
    # below the break-even a faster link shrinks the dense all-reduce most: the speed-up falls
    assert np.all(np.diff(grid, axis=0) < 0)
    comm = predicted_speedup_grid(25.6e6, 1e-3, [8, 64], [1, 10, 100])
    assert comm.shape == (3, 2) and np.all(comm > 1)


def test_speedup_curves_widget_logic():
    out = speedup_curves(10.0, 4096, 25.6e6, 1e-3, t_comp=0.0, t_sel=0.0)
    assert out["p"][0] == 2 and out["p"][-1] == 4096
    np.testing.assert_allclose(out["comm"], out["total"])
    assert np.all(np.diff(out["comm"]) < 0)  # the all-gather advantage shrinks with p
    assert 1000 <= out["break_even_comm"] <= 4096 * 4
    slow = speedup_curves(10.0, 4096, 25.6e6, 1e-3, t_comp=0.2, t_sel=0.05)
    assert slow["break_even_total"] < out["break_even_total"] or math.isinf(out["break_even_total"])
    with pytest.raises(ValueError, match="p_max"):
        speedup_curves(10.0, 1, 1e6, 1e-3, 0.0, 0.0)
    with pytest.raises(ValueError, match="gbps"):
        speedup_curves(0.0, 100, 1e6, 1e-3, 0.0, 0.0)
