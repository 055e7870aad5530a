"""Model zoo and one-call experiment runners used by notebooks 03 and 04.

``fit_and_score(name, prep, split, cfg, seed)`` builds the named model with the budget's settings,
trains it on the split (neural models full batch, sklearn models directly) and returns test metrics
plus, for HIDAM variants, the meta-path attention ``gamma``.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from paperlab.hidam.baselines import HAN, FeatureMLP, HomoGCN, sklearn_scores
from paperlab.hidam.configs import HidamConfig
from paperlab.hidam.generator import BankHINConfig, generate_bank_hin
from paperlab.hidam.model import HIDAM
from paperlab.hidam.train import Prepared, evaluate, fit_full_batch, predict, trained_enough

SKLEARN = {"LogReg": "logreg", "GBDT": "gbdt"}
HIDAM_VARIANTS = {
    "HIDAM": {},
    "HIDAM-no-content": {"content": "endpoint", "link_attrs": False},
    "MAGNN-lite": {"link_attrs": False},
    "content_mean": {"content": "mean"},
    "instance_mean": {"instance": "mean"},
    "semantic_mean": {"semantic": "mean"},
    "no_link_attrs": {"link_attrs": False},
    "per_node": {"semantic": "per_node"},
    "endpoint": {"content": "endpoint"},
    "self_loop": {"empty": "self_loop"},
}
MODELS = tuple(SKLEARN) + ("FeatureMLP", "HomoGCN", "HAN") + tuple(HIDAM_VARIANTS)


def dims(data) -> tuple[dict, dict]:
    """(feature size per node type, attribute size per edge type; 0 = none)."""
    node = {t: (data[t].x.size(1) if "x" in data[t] else 0) for t in data.node_types}
    edge = {et: (data[et].edge_attr.size(1) if "edge_attr" in data[et] else 0) for et in data.edge_types}
    return node, edge


def make_model(name: str, prep: Prepared, cfg: HidamConfig) -> torch.nn.Module:
    """A fresh neural model (seed torch before calling for a reproducible initialisation)."""
    target = prep.metapaths[0].target_type
    in_dim = prep.data[target].x.size(1)
    if name == "FeatureMLP":
        return FeatureMLP(in_dim, cfg.d, dropout=cfg.dropout, target=target)
    if name == "HomoGCN":
        return HomoGCN(in_dim, cfg.d, dropout=cfg.dropout, target=target)
    if name == "HAN":
        return HAN(in_dim, [mp.name for mp in prep.metapaths], cfg.d, cfg.heads, dropout=cfg.dropout, target=target)
    if name in HIDAM_VARIANTS:
        node, edge = dims(prep.data)
        return HIDAM(node, edge, prep.metapaths, cfg.d, cfg.heads, dropout=cfg.dropout, **HIDAM_VARIANTS[name])
    raise ValueError(f"name must be one of {', '.join(MODELS)}, got {name!r}")


def fit_and_score(name: str, prep: Prepared, split: dict, cfg: HidamConfig, seed: int) -> dict:
    """Test metrics of model ``name`` (threshold chosen on validation). Neural models add ``epochs`` (run)
    and ``trained_enough`` (:func:`paperlab.hidam.train.trained_enough`); HIDAM variants add ``gamma``
    (list, meta-path order) and ``model``."""
    y = prep.y
    if name in SKLEARN:
        x = prep.data[prep.metapaths[0].target_type].x.numpy()
        return evaluate(sklearn_scores(SKLEARN[name], x, y, split, seed), y, split)
    torch.manual_seed(seed)
    model = make_model(name, prep, cfg)
    hist = fit_full_batch(model, prep, split, cfg.lr, cfg.weight_decay, cfg.epochs, cfg.patience)
    out = evaluate(predict(model, prep), y, split)
    out["epochs"] = len(hist["loss"])
    out["trained_enough"] = trained_enough(hist, cfg.epochs)
    if isinstance(model, HIDAM):
        model.eval()
        with torch.no_grad():
            att = model(prep.data, prep.instances)[1]
        g = att.gamma if att.gamma.dim() == 1 else att.gamma.mean(0)
        out["gamma"] = [float(v) for v in g]
        out["model"] = model
    return out


def world(cfg: HidamConfig, seed: int, n_companies: int | None = None, **knobs):
    """The synthetic bank HIN of this budget for ``seed`` with generator knobs (null, content, gamma_G, ...)."""
    n = cfg.n_companies if n_companies is None else n_companies
    return generate_bank_hin(BankHINConfig(n_companies=n, seed=seed, **knobs))


def rewire_guarantees(data, frac: float, seed: int = 0):
    """A copy of ``data`` where a fraction ``frac`` of guarantee edges get a random borrower (both
    directions changed together, attributes kept): structural noise for E6."""
    if not 0.0 <= frac <= 1.0:
        raise ValueError(f"frac must be in [0, 1], got {frac!r}")
    out = copy.copy(data)
    rng = np.random.default_rng(seed)
    ei = data["company", "guarantees", "company"].edge_index.clone()
    m = ei.size(1)
    pick = rng.random(m) < frac
    ei[1, torch.as_tensor(pick)] = torch.as_tensor(
        rng.integers(0, data["company"].num_nodes, int(pick.sum()))
    )
    out["company", "guarantees", "company"].edge_index = ei
    out["company", "guaranteed_by", "company"].edge_index = ei.flip(0)
    return out


def paired(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean and standard error of the paired differences a - b (SE = 0 for one pair)."""
    d = np.asarray(a, float) - np.asarray(b, float)
    se = float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0
    return float(d.mean()), se


def run_world(
    cfg: HidamConfig, seed: int, models, n_companies: int | None = None, split: str = "stratified", **knobs
):
    """Generate the world for ``seed``, enumerate instances (cap ``cfg.K``), split (``"stratified"`` or
    ``"group"``) and fit every named model on the same split: ``{model: metrics}``."""
    from paperlab.hidam.metapaths import BANK_METAPATHS
    from paperlab.hidam.splits import group_split, stratified_split
    from paperlab.hidam.train import prepare

    data, _ = world(cfg, seed, n_companies, **knobs)
    prep = prepare(data, BANK_METAPATHS, cfg.K, seed)
    if split == "stratified":
        sp = stratified_split(prep.y, seed=seed)
    elif split == "group":
        sp = group_split(data["company"].group.numpy(), prep.y, seed=seed)
    else:
        raise ValueError(f"split must be 'stratified' or 'group', got {split!r}")
    return {m: fit_and_score(m, prep, sp, cfg, seed) for m in models}


METRICS = ("auc", "ks", "pr_auc", "f1", "micro_f1", "macro_f1")


def summary_rows(runs: list[dict], models) -> list[dict]:
    """One row per model: mean ± std over seeds of each metric (``runs``: one ``{model: metrics}`` per seed)."""
    from paperlab.core import fmt

    return [{"model": m, **{k: fmt.pm([r[m][k] for r in runs]) for k in METRICS}} for m in models]


def column(runs: list[dict], model: str, key: str = "auc") -> list[float]:
    """The per-seed values of one metric of one model."""
    return [float(r[model][key]) for r in runs]


def one_step_seconds(cfg: HidamConfig, models=("HAN", "HIDAM"), seed: int = 0) -> dict[str, float]:
    """Build ``cfg``'s world at full size (generator, capped instances) and time one full-batch optimisation
    step (forward, class-weighted BCE, backward, Adam step) of each model: ``{"generate", "prepare", model: s}``.
    Raises ``RuntimeError`` when a loss is not finite."""
    import time

    from paperlab.hidam.metapaths import BANK_METAPATHS
    from paperlab.hidam.train import logits, prepare

    out = {}
    t0 = time.perf_counter()
    data, _ = world(cfg, seed)
    out["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    prep = prepare(data, BANK_METAPATHS, cfg.K, seed)
    out["prepare"] = time.perf_counter() - t0
    y = torch.as_tensor(prep.y, dtype=torch.float32)
    for name in models:
        torch.manual_seed(seed)
        model = make_model(name, prep, cfg)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        t0 = time.perf_counter()
        model.train()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits(model, prep), y)
        loss.backward()
        opt.step()
        out[name] = time.perf_counter() - t0
        if not torch.isfinite(loss):
            raise RuntimeError(f"{name}: the loss is not finite after one step")
    return out
