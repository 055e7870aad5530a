"""The PyG building blocks this series relies on run without torch-scatter, torch-sparse,
torch-cluster and pyg-lib (none is installable for torch 2.13)."""

import importlib.util

import torch
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData
from torch_geometric.nn import HANConv, HGTConv, MetaPath2Vec
from torch_geometric.utils import softmax


def test_extensions_absent():
    for name in ("torch_scatter", "torch_sparse", "torch_cluster", "pyg_lib"):
        assert importlib.util.find_spec(name) is None, name


def _graph():
    d = HeteroData()
    d["a"].x = torch.randn(5, 3)
    d["b"].x = torch.randn(4, 3)
    ab = torch.tensor([[0, 1, 2, 3, 4, 0], [0, 1, 1, 2, 3, 3]])
    d["a", "to", "b"].edge_index = ab
    d["b", "rev", "a"].edge_index = ab.flip(0)
    return d


def test_blocks_run_pure_torch():
    torch.manual_seed(0)
    d = _graph()
    out = T.AddMetaPaths([[("a", "to", "b"), ("b", "rev", "a")]])(d.clone())
    assert ("a", "metapath_0", "a") in out.edge_types
    han = HANConv(3, 4, metadata=(["a"], [("a", "metapath_0", "a")]))
    assert han({"a": d["a"].x}, {("a", "metapath_0", "a"): out["a", "metapath_0", "a"].edge_index})[
        "a"
    ].shape == (5, 4)
    hgt = HGTConv(3, 4, metadata=d.metadata(), heads=1)
    assert hgt(d.x_dict, d.edge_index_dict)["a"].shape == (5, 4)
    s = softmax(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
    torch.testing.assert_close(s[2], torch.tensor(1.0))
    mp2v = MetaPath2Vec(
        d.edge_index_dict,
        4,
        [("a", "to", "b"), ("b", "rev", "a")],
        walk_length=2,
        context_size=2,
        num_nodes_dict={"a": 5, "b": 4},
    )
    pos, neg = mp2v._pos_sample(torch.arange(3)), mp2v._neg_sample(torch.arange(3))
    assert torch.isfinite(mp2v.loss(pos, neg))
