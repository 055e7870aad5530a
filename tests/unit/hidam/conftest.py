import pytest
import torch
from torch_geometric.data import HeteroData


@pytest.fixture
def tiny():
    """A hand-made bank graph: 5 companies, 2 persons, 2 addresses, a few guarantees / purchases."""
    d = HeteroData()
    d["company"].x = torch.arange(15, dtype=torch.float32).view(5, 3) / 10
    d["company"].y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0])
    d["person"].x = torch.tensor([[0.5], [-1.0]])
    d["address"].num_nodes = 2
    rep = torch.tensor([[0, 1, 2, 3, 4], [0, 0, 0, 1, 1]])
    d["company", "has_rep", "person"].edge_index = rep
    d["company", "has_rep", "person"].edge_attr = torch.ones(5, 1)
    d["person", "rep_of", "company"].edge_index = rep.flip(0)
    d["person", "rep_of", "company"].edge_attr = torch.ones(5, 1)
    loc = torch.tensor([[0, 1, 2, 3, 4], [0, 1, 1, 1, 0]])
    d["company", "located_at", "address"].edge_index = loc
    d["address", "hosts", "company"].edge_index = loc.flip(0)
    g = torch.tensor([[0, 0, 1, 3], [1, 2, 2, 4]])  # guarantor -> borrower
    d["company", "guarantees", "company"].edge_index = g
    d["company", "guarantees", "company"].edge_attr = torch.rand(
        4, 2, generator=torch.Generator().manual_seed(0)
    )
    d["company", "guaranteed_by", "company"].edge_index = g.flip(0)
    d["company", "guaranteed_by", "company"].edge_attr = d[
        "company", "guarantees", "company"
    ].edge_attr.clone()
    t = torch.tensor([[1, 2, 4, 4], [0, 0, 0, 3]])  # customer -> supplier
    d["company", "buys_from", "company"].edge_index = t
    d["company", "buys_from", "company"].edge_attr = torch.rand(
        4, 2, generator=torch.Generator().manual_seed(1)
    )
    d["company", "sells_to", "company"].edge_index = t.flip(0)
    d["company", "sells_to", "company"].edge_attr = d["company", "buys_from", "company"].edge_attr.clone()
    return d
