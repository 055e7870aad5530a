import numpy as np
import pytest
import torch

from paperlab.hidam.generator import BankHINConfig, _sigmoid, generate_bank_hin, graph_sizes

PROTOTYPE = {"guarantees": 13780, "transactions": 14998, "persons": 2553, "addresses": 3605}


def test_deterministic():
    a, ta = generate_bank_hin(BankHINConfig(n_companies=300, seed=4))
    b, tb = generate_bank_hin(BankHINConfig(n_companies=300, seed=4))
    for key in ("x", "y"):
        assert torch.equal(a["company"][key], b["company"][key])
    for et in a.edge_types:
        assert torch.equal(a[et].edge_index, b[et].edge_index)
    assert ta.intercept == tb.intercept
    c, _ = generate_bank_hin(BankHINConfig(n_companies=300, seed=5))
    assert not torch.equal(a["company"].x, c["company"].x)


@pytest.mark.parametrize("rate", [0.03, 0.06, 0.15])
def test_default_rate_hits_target(rate):
    d, _ = generate_bank_hin(BankHINConfig(n_companies=3000, target_rate=rate))
    assert abs(float(d["company"].y.mean()) - rate) <= 0.003


def test_leakage_guard_worlds_share_features_and_graph():
    worlds = [
        BankHINConfig(n_companies=1000, seed=2),
        BankHINConfig(n_companies=1000, seed=2, null=True),
        BankHINConfig(n_companies=1000, seed=2, content=False),
        BankHINConfig(n_companies=1000, seed=2, gamma_G=0.0),
    ]
    data = [generate_bank_hin(c)[0] for c in worlds]
    for d in data[1:]:
        for t in ("company", "person"):
            assert torch.equal(d[t].x, data[0][t].x)
        for et in data[0].edge_types:
            assert torch.equal(d[et].edge_index, data[0][et].edge_index)
            if "edge_attr" in data[0][et]:
                assert torch.equal(d[et].edge_attr, data[0][et].edge_attr)
        assert not torch.equal(d["company"].y, data[0]["company"].y)


def test_null_world_has_no_relational_effect():
    d, truth = generate_bank_hin(BankHINConfig(n_companies=800, null=True, seed=1))
    for v in truth.contributions.values():
        assert np.all(v == 0)
    recomputed = truth.uniforms < _sigmoid(truth.intercept - 1.2 * truth.u)
    np.testing.assert_array_equal(recomputed.astype(np.float32), d["company"].y.numpy())


def test_relational_contributions_nonzero_and_positive():
    _, truth = generate_bank_hin(BankHINConfig(n_companies=800))
    assert truth.contributions["guarantee"].max() > 0 and truth.contributions["transaction"].max() > 0
    assert (truth.contributions["guarantee"] >= 0).all()


def test_sizes_match_prototype_and_hubs():
    d, _ = generate_bank_hin(BankHINConfig(n_companies=5000, seed=0))
    sizes = graph_sizes(d)
    for k, v in PROTOTYPE.items():
        assert abs(sizes[k] - v) / v <= 0.15, (k, sizes[k], v)
    hosts = d["address", "hosts", "company"].edge_index[0]
    counts = torch.bincount(hosts).sort(descending=True).values
    assert 0.07 <= counts[:20].sum().item() / 5000 <= 0.13  # 20 business centres hold about 10 %


@pytest.mark.parametrize(
    "field, value",
    [("n_companies", 5), ("target_rate", 0.0), ("target_rate", 1.5), ("gamma_G", -1.0), ("gamma_P", -0.1)],
)
def test_bad_config(field, value):
    with pytest.raises(ValueError, match=field):
        BankHINConfig(**{field: value})


def test_bad_cfg_type():
    with pytest.raises(TypeError, match="cfg"):
        generate_bank_hin({"n_companies": 100})
