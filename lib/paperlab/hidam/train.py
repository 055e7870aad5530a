"""Full-batch training and evaluation shared by HIDAM and the neural baselines.

Every model maps a :class:`Prepared` graph to one default logit per target company. The loss is the
class-weighted binary cross-entropy (``pos_weight = n_neg / n_pos`` on the training companies,
equivalent to the brief's two-class weighted softmax), Adam with weight decay, and early stopping
on validation AUC with the best state restored. Selection uses validation only.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from paperlab.hidam import metrics
from paperlab.hidam.metapaths import Instances, MetaPath, enumerate_instances, to_metapath_edges
from paperlab.hidam.model import HIDAM


@dataclass
class Prepared:
    """A graph with its meta-path instances (for HIDAM) and endpoint edges (for HAN and GCN)."""

    data: object
    metapaths: list[MetaPath]
    instances: dict[str, Instances]
    mp_edges: dict[str, torch.Tensor]

    @property
    def y(self) -> np.ndarray:
        return self.data[self.metapaths[0].target_type].y.numpy()


def instance_pairs(inst: Instances) -> torch.Tensor:
    """Unique (neighbour, target) endpoint pairs [2, E] of a set of instances."""
    return torch.unique(torch.stack([inst.node_ids[-1], inst.node_ids[0]]), dim=1)


def check_leakage(data, target: str, threshold: float = 0.95) -> None:
    """Raise ``ValueError`` naming the column when a feature of ``target`` nearly copies the label
    (|Pearson r| > ``threshold``), e.g. a post-default flag left in the table."""
    y = data[target].y.numpy().astype(np.float64)
    x = data[target].x.numpy().astype(np.float64)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{target}.x has {x.shape[0]} rows but {target}.y has {y.shape[0]}")
    if y.std() == 0:
        return
    for j in range(x.shape[1]):
        col = x[:, j]
        if col.std() > 0 and abs(np.corrcoef(col, y)[0, 1]) > threshold:
            raise ValueError(f"label leakage: feature column {j} of {target}.x is |r| > {threshold} with y")


def prepare(data, metapaths: Sequence[MetaPath], max_per_target: int | None, seed: int = 0) -> Prepared:
    """Enumerate capped instances and endpoint edges once per graph (they do not change in training).

    With a cap K the endpoint edges are the unique pairs of the *sampled* instances, so HAN and
    HIDAM see the same neighbours (a paired comparison); without a cap they are ``AddMetaPaths``'.
    """
    mps = list(metapaths)
    if not mps:
        raise ValueError("metapaths must hold at least one MetaPath")
    check_leakage(data, mps[0].target_type)
    inst = {mp.name: enumerate_instances(data, mp, max_per_target, seed) for mp in mps}
    if max_per_target is None:
        edges = to_metapath_edges(data, mps)
    else:
        edges = {name: instance_pairs(i) for name, i in inst.items()}
    return Prepared(data, mps, inst, edges)


def logits(model: nn.Module, prep: Prepared) -> torch.Tensor:
    """[N_target] logits of any model of this series."""
    if isinstance(model, HIDAM):
        return model(prep.data, prep.instances)[0]
    return model(prep)


def predict(model: nn.Module, prep: Prepared) -> np.ndarray:
    """Scores (logits) in evaluation mode, as numpy."""
    model.eval()
    with torch.no_grad():
        return logits(model, prep).numpy().astype(np.float64)


def fit_full_batch(
    model: nn.Module,
    prep: Prepared,
    split: dict[str, np.ndarray],
    lr: float = 5e-3,
    weight_decay: float = 1e-3,
    epochs: int = 100,
    patience: int = 20,
) -> dict:
    """Train on ``split["train"]``, early-stop on ``split["val"]`` AUC; returns the history."""
    for key in ("train", "val"):
        if key not in split or len(split[key]) == 0:
            raise ValueError(f"split must have a non-empty {key!r} part")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs!r}")
    y = torch.as_tensor(prep.y, dtype=torch.float32)
    tr = torch.as_tensor(split["train"])
    pos = float(y[tr].sum())
    pos_weight = torch.tensor((len(tr) - pos) / max(pos, 1.0))
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    yv = prep.y[split["val"]]
    best, best_state, best_epoch, hist = -np.inf, None, -1, {"loss": [], "val_auc": []}
    for epoch in range(epochs):
        model.train()
        opt.zero_grad()
        out = logits(model, prep)
        # the validation AUC of the current weights: read from this forward pass when the model has
        # no active dropout (train mode then equals eval mode), else from a separate eval pass
        val_scores = out.detach() if not _has_dropout(model) else torch.as_tensor(predict(model, prep))
        auc = metrics.roc_auc(yv, val_scores.numpy()[split["val"]])
        if auc > best:
            best, best_epoch, best_state = auc, epoch, copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= patience:
            break
        model.train()
        loss = loss_fn(out[tr], y[tr])
        loss.backward()
        opt.step()
        hist["loss"].append(float(loss.detach()))
        hist["val_auc"].append(auc)
    model.load_state_dict(best_state)
    hist["best_epoch"], hist["best_val_auc"] = best_epoch, best
    return hist


def trained_enough(hist: dict, epochs: int, tol: float = 0.01) -> bool:
    """VERDICTS.md section 3: early stopping fired (fewer than ``epochs`` epochs ran), or the validation AUC
    changed by less than ``tol`` (relative) over the last fifth of training."""
    n = len(hist["val_auc"])
    if n < epochs:
        return True
    tail = hist["val_auc"][-max(2, n // 5):]
    return abs(tail[-1] - tail[0]) < tol * abs(tail[0])


def _has_dropout(model: nn.Module) -> bool:
    for m in model.modules():
        if isinstance(m, nn.Dropout) and m.p > 0:
            return True
        p = getattr(m, "dropout", 0)
        if isinstance(p, float) and p > 0:
            return True
    return False


def evaluate(scores: np.ndarray, y: np.ndarray, split: dict[str, np.ndarray]) -> dict[str, float]:
    """Test metrics; the F1 threshold is chosen on validation (never on test)."""
    t = metrics.best_f1_threshold(y[split["val"]], scores[split["val"]])
    return metrics.all_metrics(y[split["test"]], scores[split["test"]], t)
