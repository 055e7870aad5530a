import pytest
import torch

from paperlab.hidam.metapaths import BANK_METAPATHS, MetaPath, enumerate_instances, to_metapath_edges


def brute_force(data, mp, exclude_self=True):
    """All instances by nested Python loops, as sorted tuples (node ids target-first, edge ids)."""
    out = []
    n = data[mp.target_type].num_nodes

    def walk(nodes, edges, k):
        if k == mp.length:
            if exclude_self and nodes[-1] == nodes[0] and mp.node_types()[-1] == mp.target_type:
                return
            out.append((tuple(nodes), tuple(edges)))
            return
        et = mp.edge_types()[k]
        src, dst = data[et].edge_index.tolist()
        for e, (s, d) in enumerate(zip(src, dst, strict=True)):
            if d == nodes[-1]:
                walk(nodes + [s], edges + [e], k + 1)

    for v in range(n):
        walk([v], [], 0)
    return sorted(out)


def as_tuples(inst):
    return sorted(
        (tuple(inst.node_ids[:, i].tolist()), tuple(inst.edge_ids[:, i].tolist())) for i in range(inst.num)
    )


@pytest.mark.parametrize("mp", BANK_METAPATHS, ids=lambda m: m.name)
@pytest.mark.parametrize("exclude_self", [True, False])
def test_enumeration_equals_brute_force(tiny, mp, exclude_self):
    assert as_tuples(enumerate_instances(tiny, mp, exclude_self=exclude_self)) == brute_force(
        tiny, mp, exclude_self
    )


def test_directions_differ(tiny):
    # company 0 guarantees 1 and 2: its borrowers (G->) are {1, 2}; company 2's guarantors (G<-) are {0, 1}
    borrowers = enumerate_instances(tiny, BANK_METAPATHS[1])
    guarantors = enumerate_instances(tiny, BANK_METAPATHS[2])
    assert sorted(borrowers.node_ids[1][borrowers.target == 0].tolist()) == [1, 2]
    assert sorted(guarantors.node_ids[1][guarantors.target == 2].tolist()) == [0, 1]


def test_edge_ids_join_consecutive_nodes(tiny):
    for mp in BANK_METAPATHS:
        inst = enumerate_instances(tiny, mp, exclude_self=False)
        for k, et in enumerate(mp.edge_types()):
            src, dst = tiny[et].edge_index
            # edge k runs from node k+1 (message source) to node k (towards the target)
            assert torch.equal(src[inst.edge_ids[k]], inst.node_ids[k + 1])
            assert torch.equal(dst[inst.edge_ids[k]], inst.node_ids[k])


def test_cap_is_seeded_subset(tiny):
    mp = BANK_METAPATHS[0]  # C-P-C: company 0 has 2 same-rep neighbours
    full = set(as_tuples(enumerate_instances(tiny, mp)))
    a = enumerate_instances(tiny, mp, max_per_target=1, seed=3)
    b = enumerate_instances(tiny, mp, max_per_target=1, seed=3)
    assert torch.equal(a.node_ids, b.node_ids)
    assert set(as_tuples(a)) <= full
    assert torch.bincount(a.target).max() <= 1
    seeds = {tuple(enumerate_instances(tiny, mp, 1, seed=s).node_ids[-1].tolist()) for s in range(10)}
    assert len(seeds) > 1  # sampling depends on the seed


def test_pairs_equal_addmetapaths(tiny):
    edges = to_metapath_edges(tiny, BANK_METAPATHS)
    for mp in BANK_METAPATHS:
        inst = enumerate_instances(tiny, mp)
        pairs = {(int(a), int(b)) for a, b in zip(inst.node_ids[-1], inst.node_ids[0], strict=True)}
        assert pairs == {tuple(p) for p in edges[mp.name].T.tolist()}, mp.name


def test_bad_metapaths(tiny):
    with pytest.raises(ValueError, match="hop 1"):
        MetaPath("bad", (("company", "has_rep", "person"), ("address", "hosts", "company")))
    with pytest.raises(ValueError, match="hops"):
        MetaPath("empty", ())
    with pytest.raises(ValueError, match="edge type"):
        enumerate_instances(tiny, MetaPath("x", (("company", "owns", "company"),)))
    with pytest.raises(ValueError, match="max_per_target"):
        enumerate_instances(tiny, BANK_METAPATHS[0], max_per_target=0)
    del tiny["address"]
    with pytest.raises(ValueError, match="node type 'address'"):
        enumerate_instances(tiny, BANK_METAPATHS[5])
