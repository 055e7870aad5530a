import numpy as np
import pytest
import torch
from torch_geometric.nn import HANConv

from paperlab.hidam.equivalence import copy_han_weights, han_special_case
from paperlab.hidam.experiments import dims
from paperlab.hidam.generator import BankHINConfig, generate_bank_hin
from paperlab.hidam.metapaths import BANK_METAPATHS
from paperlab.hidam.model import HIDAM, ContentAttention, InstanceAttention, SemanticAttention
from paperlab.hidam.splits import stratified_split
from paperlab.hidam.train import check_leakage, fit_full_batch, prepare


def test_content_attention_weights_and_pool():
    torch.manual_seed(0)
    att = ContentAttention(6)
    items = torch.randn(4, 5, 6)
    c, alpha = att(items)
    torch.testing.assert_close(alpha.sum(1), torch.ones(4))
    ref = torch.einsum("il,ild->id", alpha, items)
    torch.testing.assert_close(c, ref)


def test_instance_attention_equals_numpy_groupby_softmax():
    torch.manual_seed(1)
    ia = InstanceAttention(4, heads=1, activation=None)
    h, c = torch.randn(3, 4), torch.randn(7, 4)
    target = torch.tensor([0, 0, 0, 2, 2, 2, 2])
    z, beta = ia(h, c, target)
    wh, wc = ia.W(h).detach().numpy(), ia.W(c).detach().numpy()
    e = wh[target.numpy()] @ ia.a_dst.detach().numpy()[0, 0] + wc @ ia.a_src.detach().numpy()[0, 0]
    e = np.where(e > 0, e, 0.2 * e)
    ref = np.empty_like(e)
    for g in (0, 2):
        m = target.numpy() == g
        ref[m] = np.exp(e[m] - e[m].max()) / np.exp(e[m] - e[m].max()).sum()
    np.testing.assert_allclose(beta[:, 0].detach().numpy(), ref, rtol=1e-5)
    np.testing.assert_allclose(z[0].detach().numpy(), (ref[:3, None] * wc[:3]).sum(0), rtol=1e-5, atol=1e-6)
    # target 1 has no instance: self loop W h_v, or zero
    torch.testing.assert_close(z[1], ia.W(h)[1])
    ia.empty = "zero"
    torch.testing.assert_close(ia(h, c, target)[0][1], torch.zeros(4))


def test_per_node_semantic_on_identical_nodes_equals_global():
    torch.manual_seed(2)
    sem_g, sem_n = SemanticAttention(5, "global"), SemanticAttention(5, "per_node")
    sem_n.load_state_dict(sem_g.state_dict())
    zs = torch.randn(3, 1, 5).expand(3, 6, 5)  # 3 meta-paths, 6 identical nodes
    zg, gg = sem_g(zs)
    zn, gn = sem_n(zs)
    torch.testing.assert_close(zg, zn)
    torch.testing.assert_close(gn, gg.expand(6, 3))


@pytest.fixture(scope="module")
def small():
    data, _ = generate_bank_hin(BankHINConfig(n_companies=300, seed=0))
    return data


def test_han_equivalence(small):
    torch.manual_seed(0)
    mps = [BANK_METAPATHS[j] for j in (0, 1, 3, 5)]
    prep = prepare(small, mps, None)  # no cap: K >= max degree; every pair has one instance
    for mp in mps:
        assert prep.instances[mp.name].num == prep.mp_edges[mp.name].size(1)
    ets = [("company", f"mp{j}", "company") for j in range(len(mps))]
    conv = HANConv(7, 16, metadata=(["company"], ets), heads=2).eval()
    model = han_special_case({"company": 7}, mps, 16, heads=2).eval()
    copy_han_weights(conv, model)
    ref, sem = conv(
        {"company": small["company"].x},
        {et: prep.mp_edges[mp.name] for et, mp in zip(ets, mps, strict=True)},
        return_semantic_attention_weights=True,
    )
    _, z, att = model.embed(small, prep.instances)
    torch.testing.assert_close(z, ref["company"], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(att.gamma, sem["company"], atol=1e-6, rtol=1e-5)


def test_link_attrs_false_gives_no_gradient_to_link_projections(small):
    prep = prepare(small, BANK_METAPATHS, 5)
    node, edge = dims(small)
    for link_attrs in (False, True):
        torch.manual_seed(0)
        m = HIDAM(node, edge, BANK_METAPATHS, d=8, link_attrs=link_attrs)
        m(small, prep.instances)[0].sum().backward()
        grads = [p.grad for p in list(m.project.edge.parameters()) + list(m.project.edge_emb.parameters())]
        if link_attrs:
            assert any(g is not None and g.abs().sum() > 0 for g in grads)
        else:
            assert all(g is None for g in grads)


def test_forward_shapes_and_training_improves(small):
    prep = prepare(small, BANK_METAPATHS, 5)
    node, edge = dims(small)
    torch.manual_seed(0)
    m = HIDAM(node, edge, BANK_METAPATHS, d=8)
    logits, att = m(small, prep.instances)
    assert logits.shape == (300,) and att.gamma.shape == (6,)
    assert att.alpha["P"].shape == (prep.instances["P"].num, 5) and att.alpha["G->"].shape[1] == 3
    sp = stratified_split(prep.y, seed=0)
    hist = fit_full_batch(m, prep, sp, epochs=15, patience=15)
    assert hist["loss"][-1] < hist["loss"][0]


def test_bad_graphs(small):
    node, edge = dims(small)
    with pytest.raises(ValueError, match="metapaths"):
        HIDAM(node, edge, [], d=8)
    with pytest.raises(ValueError, match="metapaths"):
        prepare(small, [], 5)
    m = HIDAM(node, edge, BANK_METAPATHS, d=8)
    with pytest.raises(ValueError, match="instances lacks"):
        m(small, {})
    leaky = small.clone()
    leaky["company"].x = torch.cat([small["company"].x, small["company"].y[:, None]], 1)
    with pytest.raises(ValueError, match="label leakage: feature column 7"):
        check_leakage(leaky, "company")
    with pytest.raises(ValueError, match="content"):
        HIDAM(node, edge, BANK_METAPATHS, d=8, content="gru")
