"""Baselines: feature-only (LogReg, gradient boosting, MLP), a homogeneous GCN, and HAN (PyG HANConv).

All neural baselines share HIDAM's classifier head ``MLP([h_v || z_v])`` so that differences come
from how relations are encoded, not from the head.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch_geometric.nn import GCNConv, HANConv
from torch_geometric.utils import to_undirected


def _head(d: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(2 * d, d), nn.ELU(), nn.Dropout(dropout), nn.Linear(d, 1))


def sklearn_scores(kind: str, x: np.ndarray, y: np.ndarray, split: dict, seed: int = 0) -> np.ndarray:
    """Fit ``"logreg"`` (balanced, standardised) or ``"gbdt"`` (HistGradientBoosting) on the training
    companies; return scores for every company."""
    tr = split["train"]
    if kind == "logreg":
        sc = StandardScaler().fit(x[tr])
        m = LogisticRegression(class_weight="balanced", max_iter=2000).fit(sc.transform(x[tr]), y[tr])
        return m.decision_function(sc.transform(x))
    if kind == "gbdt":
        m = HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=seed
        )
        m.fit(x[tr], y[tr])
        return m.predict_proba(x)[:, 1]
    raise ValueError(f"kind must be 'logreg' or 'gbdt', got {kind!r}")


class FeatureMLP(nn.Module):
    """Company features only: ``MLP([h_v || h_v])`` with ``h_v = ELU(W x_v)`` (same head as HIDAM)."""

    def __init__(self, in_dim: int, d: int = 32, dropout: float = 0.0, target: str = "company"):
        super().__init__()
        self.target, self.dropout = target, dropout
        self.lin = nn.Linear(in_dim, d)
        self.head = _head(d, dropout)

    def forward(self, prep) -> torch.Tensor:
        h = nn.functional.dropout(
            nn.functional.elu(self.lin(prep.data[self.target].x)), self.dropout, self.training
        )
        return self.head(torch.cat([h, h], -1)).squeeze(-1)


class HAN(nn.Module):
    """HAN baseline: one ``HANConv`` over the meta-path endpoint edges (intermediate nodes and link
    attributes discarded), then ``MLP([h_v || z_v])``."""

    def __init__(
        self, in_dim: int, names, d: int = 32, heads: int = 1, dropout: float = 0.0, target: str = "company"
    ):
        super().__init__()
        self.target, self.names, self.dropout = target, list(names), dropout
        self.etypes = [(target, f"mp{j}", target) for j in range(len(self.names))]
        self.conv = HANConv(in_dim, d, metadata=([target], self.etypes), heads=heads, dropout=dropout)
        self.lin = nn.Linear(in_dim, d)
        self.head = _head(d, dropout)

    def forward(self, prep, return_semantic: bool = False):
        x = prep.data[self.target].x
        eid = {et: prep.mp_edges[n] for et, n in zip(self.etypes, self.names, strict=True)}
        out, sem = self.conv({self.target: x}, eid, return_semantic_attention_weights=True)
        h = nn.functional.dropout(nn.functional.elu(self.lin(x)), self.dropout, self.training)
        logit = self.head(torch.cat([h, out[self.target]], -1)).squeeze(-1)
        return (logit, sem[self.target]) if return_semantic else logit


class HomoGCN(nn.Module):
    """GCN on the homogeneous company graph: the undirected union of all meta-path endpoint edges."""

    def __init__(self, in_dim: int, d: int = 32, dropout: float = 0.0, target: str = "company"):
        super().__init__()
        self.target, self.dropout = target, dropout
        self.conv = GCNConv(in_dim, d)
        self.lin = nn.Linear(in_dim, d)
        self.head = _head(d, dropout)
        self._ei = None

    def forward(self, prep) -> torch.Tensor:
        x = prep.data[self.target].x
        if self._ei is None or self._ei[0] is not prep:
            ei = to_undirected(torch.cat(list(prep.mp_edges.values()), 1), num_nodes=x.size(0))
            self._ei = (prep, ei)
        z = nn.functional.elu(self.conv(x, self._ei[1]))
        h = nn.functional.dropout(nn.functional.elu(self.lin(x)), self.dropout, self.training)
        return self.head(torch.cat([h, z], -1)).squeeze(-1)
