import math

import pytest
import torch

from paperlab.recyclegpt import costmodel
from paperlab.recyclegpt.costmodel import predicted_speedup, rho_memory_bound

from .conftest import make_model


def test_known_values():
    assert predicted_speedup(1, 0.25) == pytest.approx(1.6)
    assert predicted_speedup(1, 0.10) == pytest.approx(1.818, abs=5e-4)
    assert predicted_speedup(1.0, 0.5, m=1) == 1.0


def test_upper_bound_table():
    table = {0.10: 1.82, 0.15: 1.74, 0.20: 1.67, 0.25: 1.60, 0.30: 1.54}
    for rho, s in table.items():
        assert round(predicted_speedup(1.0, rho), 2) == s


def test_tends_to_one_over_rho():
    for rho in (0.1, 0.25, 0.5):
        values = [predicted_speedup(1.0, rho, m) for m in (2, 8, 64, 10**6)]
        assert values == sorted(values)
        assert values[-1] == pytest.approx(1 / rho, rel=1e-3)
        assert all(v < 1 / rho for v in values)


def test_rho_memory_bound_by_hand():
    # 1.2M-parameter body, 0.2M module, 97 x 128 head
    assert rho_memory_bound(200_000, 1_200_000, 12_416) == pytest.approx(212_416 / 1_212_416)
    assert rho_memory_bound(0, 100, 0) == 0


def test_bytes_per_token():
    model = make_model()
    b = costmodel.bytes_per_token(model, context=10, dtype=torch.float32)
    assert b["head"] == 13 * 16 * 4
    assert b["kv"] == 2 * 2 * 10 * 16 * 4
    blocks = sum(p.numel() for p in model.base.blocks.parameters()) + 2 * 16
    assert b["weights"] == blocks * 4


def test_measure_call_costs_structure():
    model = make_model().float()
    out = costmodel.measure_call_costs(model, q_values=(1, 2, 4), n_rep=2, context=8)
    assert set(out["median"]["F"]) == {1, 2, 4}
    assert out["kappa"][1] == 1.0
    assert out["rho"] > 0 and math.isfinite(out["rho"])  # counts and structure only, never speed


def test_bad_inputs():
    with pytest.raises(ValueError, match="kappa"):
        predicted_speedup(0, 0.2)
    with pytest.raises(ValueError, match="rho"):
        predicted_speedup(1, -0.1)
    with pytest.raises(ValueError, match="m must"):
        predicted_speedup(1, 0.1, m=0)
    with pytest.raises(ValueError, match="p_rec"):
        rho_memory_bound(-1, 10, 1)
    with pytest.raises(ValueError, match="context"):
        costmodel.measure_call_costs(make_model(), context=0)
