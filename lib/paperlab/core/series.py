"""The map of the ten series (and the shared Sunway simulator) shown by notebook 00."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    citation: str
    idea: str
    teaches: str


SERIES: dict[str, Series] = {
    s.key: s
    for s in [
        Series(
            "recyclegpt",
            "RecycleGPT",
            "Jiang et al., 2023, arXiv:2308.03421",
            "a small module predicts the next token from the last hidden state, so the full model runs every other step",
            "KV caches, why batch-1 decoding is memory bound, speculative-style decoding",
        ),
        Series(
            "jtft",
            "JTFT",
            "Chen et al., Neural Networks 2024, arXiv:2305.14649",
            "a joint time-frequency transformer: a few learned frequencies plus recent patches, then channel mixing",
            "frequency-domain features, patching, low-rank attention across channels",
        ),
        Series(
            "hidam",
            "HIDAM",
            "Zhang et al., 2022, arXiv:2204.11849",
            "hierarchical attention over meta-paths of a heterogeneous graph predicts loan default",
            "heterogeneous graphs, meta-paths, node- and path-level attention (torch_geometric)",
        ),
        Series(
            "admrl",
            "AdMRL",
            "Lin et al., NeurIPS 2020, arXiv:2006.08875",
            "model-based meta-RL that chooses adversarial training tasks where the learned model is worst",
            "meta-RL, learned dynamics models, adversarial task selection",
        ),
        Series(
            "drdrl",
            "DRDRL",
            "Lin et al., NeurIPS 2019, arXiv:1911.02166",
            "the return distribution is split into sub-distributions, one per reward channel",
            "distributional RL (C51), reward decomposition, disentangling",
        ),
        Series(
            "namsg",
            "NAMSG",
            "Chen et al., 2019, arXiv:1905.01422",
            "an adaptive optimizer that evaluates the gradient at a remote observation point",
            "Adam, AMSGrad, Nesterov-style extrapolation, step-size theory on quadratics",
        ),
        Series(
            "sunway",
            "Sunway SW26010 simulator",
            "Fu et al., Sci. China 2016 (TaihuLight)",
            "a cost model and functional emulator of the SW26010 many-core chip",
            "LDM and DMA, register communication, rooflines, collectives on a supernode network",
        ),
        Series(
            "swtvm",
            "swTVM",
            "Liu et al., 2019, arXiv:1904.07404",
            "a TVM-style compiler that generates Sunway code with DMA and LDM planning",
            "tensor expressions, schedules, lowering, auto-tuning against a cost model",
        ),
        Series(
            "swcaffe",
            "swCaffe",
            "Li et al., IEEE CLUSTER 2018, arXiv:1903.06934",
            "deep-learning training redesigned for the Sunway chip and scaled to 1,024 nodes",
            "layer-wise performance modelling, data-parallel scaling, allreduce algorithms",
        ),
        Series(
            "redsync",
            "RedSync",
            "Fang et al., JPDC 2019, arXiv:1808.04357",
            "send only the largest residual gradients, keep the rest locally, to cut communication",
            "gradient sparsification, error feedback, torch.distributed",
        ),
        Series(
            "emdqn",
            "EMDQN",
            "Lin et al., IJCAI 2018, arXiv:1805.07603",
            "a table of best episodic returns regularises DQN so sparse reward propagates fast",
            "DQN, episodic control, random projections, sample efficiency",
        ),
    ]
}


def describe(key: str) -> str:
    """A short text card for series ``key`` (used by notebook 00's explorer)."""
    if key not in SERIES:
        raise ValueError(f"key must be one of {', '.join(SERIES)}, got {key!r}")
    s = SERIES[key]
    return (
        f"{s.title} ({s.citation})\n"
        f"  idea:    {s.idea}\n"
        f"  teaches: {s.teaches}\n"
        f"  notebooks: notebooks/{key}/"
    )
