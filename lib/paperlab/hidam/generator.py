"""A seeded synthetic bank heterogeneous network with a known ground truth (brief section 4.2).

Generative process (all graph and feature draws first, labels last, so that every world built from
one seed shares ``x``, ``edge_index`` and ``edge_attr`` exactly; only ``y`` differs):

1. companies: latent health ``u ~ N(0,1)``; business groups with sizes ``~ Zipf(zipf_a)`` capped at
   ``max_group`` and latent group risk ``s_g ~ N(0,1)``;
2. features: ``x1 = u + e``, ``x2 = 0.7u + e``, ``x3 = 0.35 s_g + e``, three noise columns and
   ``log cap`` with ``cap = exp(0.3u + N(0, 0.5^2))``;
3. persons: one controller per group with credit ``650 - person_signal * s_g + N(0, 40^2)``; a
   fraction ``outside_rep_frac`` of companies has an outside representative with credit
   ``650 + N(0, 40^2)`` (no group signal);
4. addresses: a group shares one address with probability ``sigmoid(2(s_g - 0.5))``, otherwise each
   company has its own; a fraction ``centre_frac`` of companies sits in ``n_business_centres`` hubs
   unrelated to risk (distractors);
5. guarantees: each ordered pair inside a group with probability ``p_guarantee`` plus
   ``cross_guarantee_frac * N_c`` random ones; amount ``= cap_guarantor * exp(N(-1, 0.7^2))``;
6. transactions: ``tx_per_company * N_c`` customer -> supplier edges with Pareto supplier popularity,
   LogNormal volume and ``share = volume / supplier inflow``;
7. labels: one uniform ``U_i`` per company, then 4 rounds of
   ``D_i = 1[U_i < sigmoid(base_i + gamma_G sum_{i guarantees j} (amt_ij/cap_i) D_j
   + gamma_T sum_{j buys from i} share_ij D_j)]`` with
   ``base_i = a - 1.2 u_i + s_g + gamma_P 0.5 (650 - credit_ctrl(i)) / 40``; the intercept ``a`` is
   found by bisection so that the default rate equals ``target_rate``.

Worlds: ``null=True`` makes labels depend on ``u`` only (every relational and group term is 0);
``content=False`` keeps the relational effects but removes their dependence on path content: the
credit term is dropped, guarantee effects use the constant mean ratio ``E[amt/cap] = exp(-1 + 0.7^2/2)``
instead of each amount, and transaction effects use the unweighted fraction of defaulted customers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
from torch_geometric.data import HeteroData

MEAN_GUARANTEE_RATIO = float(np.exp(-1.0 + 0.7**2 / 2))
COMPANY_FEATURES = ("x1", "x2", "x3", "noise1", "noise2", "noise3", "log_cap")


@dataclass(frozen=True)
class BankHINConfig:
    """Knobs of the generator (defaults: the brief's lab world)."""

    n_companies: int = 5000
    zipf_a: float = 2.0
    max_group: int = 25
    outside_rep_frac: float = 0.15
    n_business_centres: int = 20
    centre_frac: float = 0.10
    p_guarantee: float = 0.3
    cross_guarantee_frac: float = 0.2
    tx_per_company: int = 3
    gamma_G: float = 2.0
    gamma_T: float = 1.5
    gamma_P: float = 1.0
    person_signal: float = 40.0
    null: bool = False
    content: bool = True
    target_rate: float = 0.06
    label_rounds: int = 4
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.n_companies, int) or self.n_companies < 10:
            raise ValueError(f"n_companies must be an int >= 10, got {self.n_companies!r}")
        if not 0.0 < self.target_rate < 1.0:
            raise ValueError(f"target_rate must be in (0, 1), got {self.target_rate!r}")
        for name in ("gamma_G", "gamma_T", "gamma_P", "person_signal"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("outside_rep_frac", "centre_frac", "p_guarantee", "cross_guarantee_frac"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        if self.zipf_a <= 1.0:
            raise ValueError(f"zipf_a must be > 1, got {self.zipf_a!r}")
        if self.max_group < 1 or self.label_rounds < 1 or self.n_business_centres < 1:
            raise ValueError("max_group, label_rounds and n_business_centres must be >= 1")

    def replace(self, **changes) -> BankHINConfig:
        """A copy with some fields changed (validated again)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown BankHINConfig field(s): {sorted(unknown)}")
        return BankHINConfig(**{**asdict(self), **changes})


@dataclass
class GroundTruth:
    """What the generator knows and the models do not.

    Attributes:
        u: [N_c] latent health. s_group: [N_groups] latent group risk. group: [N_c] group id.
        contributions: per relation ("guarantee", "transaction", "person") the additive term of
            each company's final logit, [N_c] each (all exactly 0 in the null world).
        intercept: the bisected ``a``. uniforms: [N_c] the ``U_i`` used for the labels.
        base: [N_c] the non-relational part of the logit (intercept included).
    """

    u: np.ndarray
    s_group: np.ndarray
    group: np.ndarray
    contributions: dict[str, np.ndarray]
    intercept: float
    uniforms: np.ndarray
    base: np.ndarray


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _groups(rng: np.random.Generator, n: int, a: float, cap: int) -> np.ndarray:
    """Group id per company: Zipf(a) sizes capped at ``cap`` until ``n`` companies are placed."""
    sizes: list[int] = []
    total = 0
    while total < n:
        s = int(min(rng.zipf(a), cap, n - total))
        sizes.append(s)
        total += s
    return np.repeat(np.arange(len(sizes)), sizes)


def _draw_graph(cfg: BankHINConfig) -> dict:
    """All non-label draws, in a fixed order, from ``default_rng(cfg.seed)``."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_companies
    group = _groups(rng, n, cfg.zipf_a, cfg.max_group)
    n_groups = int(group.max()) + 1
    s_g = rng.normal(size=n_groups)
    u = rng.normal(size=n)
    s = s_g[group]
    log_cap = 0.3 * u + rng.normal(0.0, 0.5, size=n)
    cap = np.exp(log_cap)
    x = np.column_stack(
        [
            u + rng.normal(size=n),
            0.7 * u + rng.normal(size=n),
            0.35 * s + rng.normal(size=n),
            rng.normal(size=(n, 3)),
            log_cap,
        ]
    )
    # persons: controllers 0..n_groups-1, then one outside representative per chosen company
    ctrl_credit = 650.0 - cfg.person_signal * s_g + rng.normal(0.0, 40.0, size=n_groups)
    outside = rng.random(n) < cfg.outside_rep_frac
    n_out = int(outside.sum())
    out_credit = 650.0 + rng.normal(0.0, 40.0, size=n_out)
    credit = np.concatenate([ctrl_credit, out_credit])
    rep = group.copy()
    rep[outside] = n_groups + np.arange(n_out)
    # addresses: shared per group with prob sigmoid(2(s_g - 0.5)), else own; then business centres
    share = rng.random(n_groups) < _sigmoid(2.0 * (s_g - 0.5))
    addr_key = np.where(share[group], group, n_groups + np.arange(n))
    in_centre = rng.random(n) < cfg.centre_frac
    centre = rng.integers(0, cfg.n_business_centres, size=n)
    addr_key = np.where(in_centre, -1 - centre, addr_key)
    _, address = np.unique(addr_key, return_inverse=True)
    # guarantees inside groups (ordered pairs) and across groups; src = guarantor, dst = borrower
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(n_groups))
    sizes = np.bincount(group, minlength=n_groups)
    g_src, g_dst = [], []
    for gid in np.flatnonzero(sizes > 1):
        members = order[starts[gid] : starts[gid] + sizes[gid]]
        a, b = np.meshgrid(members, members, indexing="ij")
        keep = (a != b) & (rng.random(a.shape) < cfg.p_guarantee)
        g_src.append(a[keep])
        g_dst.append(b[keep])
    n_cross = int(round(cfg.cross_guarantee_frac * n))
    c_src, c_dst = rng.integers(0, n, size=n_cross), rng.integers(0, n, size=n_cross)
    g_src.append(c_src)
    g_dst.append(c_dst)
    g_src, g_dst = np.concatenate(g_src), np.concatenate(g_dst)
    g_src, g_dst = _dedup(g_src, g_dst, n)
    amount = cap[g_src] * np.exp(rng.normal(-1.0, 0.7, size=g_src.size))
    # transactions: customer -> supplier, Pareto popularity of suppliers
    popularity = rng.pareto(1.5, size=n) + 1.0
    m = cfg.tx_per_company * n
    t_src = rng.integers(0, n, size=m)
    t_dst = rng.choice(n, size=m, p=popularity / popularity.sum())
    t_src, t_dst = _dedup(t_src, t_dst, n)
    volume = np.exp(rng.normal(0.0, 1.0, size=t_src.size))
    inflow = np.bincount(t_dst, weights=volume, minlength=n)
    tx_share = volume / inflow[t_dst]
    uniforms = rng.random(n)
    return dict(
        group=group,
        s_g=s_g,
        u=u,
        cap=cap,
        x=x,
        credit=credit,
        rep=rep,
        outside=outside,
        address=address,
        g_src=g_src,
        g_dst=g_dst,
        amount=amount,
        t_src=t_src,
        t_dst=t_dst,
        volume=volume,
        tx_share=tx_share,
        uniforms=uniforms,
    )


def _dedup(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop self loops and duplicate (src, dst) pairs; keep a sorted, deterministic order."""
    keep = src != dst
    key = np.unique(src[keep].astype(np.int64) * n + dst[keep])
    return key // n, key % n


def _labels(
    cfg: BankHINConfig, g: dict, intercept: float
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Iterated default labels for one intercept; returns (D, contributions, base)."""
    n = cfg.n_companies
    s = g["s_g"][g["group"]]
    zero = np.zeros(n)
    if cfg.null:
        base = intercept - 1.2 * g["u"]
        d = (g["uniforms"] < _sigmoid(base)).astype(float)
        return d, {"guarantee": zero, "transaction": zero.copy(), "person": zero.copy()}, base
    person = zero.copy()
    if cfg.content:
        person = cfg.gamma_P * 0.5 * (650.0 - g["credit"][g["rep"]]) / 40.0
        w_g = g["amount"] / g["cap"][g["g_src"]]  # amt_ij / cap_i, i = guarantor
        w_t = g["tx_share"]  # share_ij of supplier inflow
    else:
        w_g = np.full(g["g_src"].size, MEAN_GUARANTEE_RATIO)
        indeg = np.bincount(g["t_dst"], minlength=n)
        w_t = 1.0 / indeg[g["t_dst"]]
    base = intercept - 1.2 * g["u"] + s + person
    d = (g["uniforms"] < _sigmoid(base)).astype(float)
    for _ in range(cfg.label_rounds):
        # guarantor i (src) is hurt by its borrowers j (dst); supplier i (dst) by its customers j (src)
        guar = cfg.gamma_G * np.bincount(g["g_src"], weights=w_g * d[g["g_dst"]], minlength=n)
        trans = cfg.gamma_T * np.bincount(g["t_dst"], weights=w_t * d[g["t_src"]], minlength=n)
        d = (g["uniforms"] < _sigmoid(base + guar + trans)).astype(float)
    guar = cfg.gamma_G * np.bincount(g["g_src"], weights=w_g * d[g["g_dst"]], minlength=n)
    trans = cfg.gamma_T * np.bincount(g["t_dst"], weights=w_t * d[g["t_src"]], minlength=n)
    return d, {"guarantee": guar, "transaction": trans, "person": person}, base


def _bisect_intercept(cfg: BankHINConfig, g: dict, iters: int = 40) -> float:
    lo, hi = -20.0, 10.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        rate = _labels(cfg, g, mid)[0].mean()
        lo, hi = (mid, hi) if rate < cfg.target_rate else (lo, mid)
    return 0.5 * (lo + hi)


def _edge(src: np.ndarray, dst: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.vstack([src, dst]), dtype=torch.long)


def generate_bank_hin(cfg: BankHINConfig) -> tuple[HeteroData, GroundTruth]:
    """Generate the bank HIN of brief section 4.3 and its ground truth.

    Node types: ``company`` (``x`` [N_c, 7] = COMPANY_FEATURES, ``y`` [N_c] float 0/1, ``group``),
    ``person`` (``x`` [N_p, 1] = (credit - 650) / 40), ``address`` (``num_nodes`` only).
    Edge types (messages flow src -> dst; dst is the affected company): ``has_rep``/``rep_of``
    (attr: 1 controller / 0 outside), ``located_at``/``hosts`` (no attr), ``guarantees`` (src
    guarantor) and ``guaranteed_by`` (its reverse), attr [log amount, amount / cap_guarantor];
    ``buys_from`` (src customer, dst supplier) and ``sells_to`` (reverse), attr [log volume, share].
    """
    if not isinstance(cfg, BankHINConfig):
        raise TypeError(f"cfg must be a BankHINConfig, got {type(cfg).__name__}")
    g = _draw_graph(cfg)
    intercept = _bisect_intercept(cfg, g)
    y, contributions, base = _labels(cfg, g, intercept)
    n = cfg.n_companies
    data = HeteroData()
    data["company"].x = torch.as_tensor(g["x"], dtype=torch.float32)
    data["company"].y = torch.as_tensor(y, dtype=torch.float32)
    data["company"].group = torch.as_tensor(g["group"], dtype=torch.long)
    data["person"].x = torch.as_tensor((g["credit"][:, None] - 650.0) / 40.0, dtype=torch.float32)
    data["address"].num_nodes = int(g["address"].max()) + 1
    comp = np.arange(n)
    role = torch.as_tensor((~g["outside"]).astype(np.float32)[:, None])
    data["company", "has_rep", "person"].edge_index = _edge(comp, g["rep"])
    data["company", "has_rep", "person"].edge_attr = role
    data["person", "rep_of", "company"].edge_index = _edge(g["rep"], comp)
    data["person", "rep_of", "company"].edge_attr = role.clone()
    data["company", "located_at", "address"].edge_index = _edge(comp, g["address"])
    data["address", "hosts", "company"].edge_index = _edge(g["address"], comp)
    g_attr = torch.as_tensor(
        np.column_stack([np.log(g["amount"]), g["amount"] / g["cap"][g["g_src"]]]), dtype=torch.float32
    )
    data["company", "guarantees", "company"].edge_index = _edge(g["g_src"], g["g_dst"])
    data["company", "guarantees", "company"].edge_attr = g_attr
    data["company", "guaranteed_by", "company"].edge_index = _edge(g["g_dst"], g["g_src"])
    data["company", "guaranteed_by", "company"].edge_attr = g_attr.clone()
    t_attr = torch.as_tensor(np.column_stack([np.log(g["volume"]), g["tx_share"]]), dtype=torch.float32)
    data["company", "buys_from", "company"].edge_index = _edge(g["t_src"], g["t_dst"])
    data["company", "buys_from", "company"].edge_attr = t_attr
    data["company", "sells_to", "company"].edge_index = _edge(g["t_dst"], g["t_src"])
    data["company", "sells_to", "company"].edge_attr = t_attr.clone()
    truth = GroundTruth(
        u=g["u"],
        s_group=g["s_g"],
        group=g["group"],
        contributions=contributions,
        intercept=float(intercept),
        uniforms=g["uniforms"],
        base=base,
    )
    return data, truth


def graph_sizes(data: HeteroData) -> dict[str, int]:
    """Counts used to compare with the prototype (brief section 4.5)."""
    hosts = data["address", "hosts", "company"].edge_index[0]
    return {
        "companies": int(data["company"].num_nodes),
        "persons": int(data["person"].num_nodes),
        "addresses": int(data["address"].num_nodes),
        "guarantees": int(data["company", "guarantees", "company"].edge_index.size(1)),
        "transactions": int(data["company", "buys_from", "company"].edge_index.size(1)),
        "max_per_address": int(torch.bincount(hosts).max()),
    }
