"""Hand-made meta-path aggregates for the generator calibration G0 (brief section 4.5).

Endpoint aggregates see only who the meta-path neighbours are (as HAN does); content aggregates also
read what lies on the path (person credit, guarantee amount / capital, transaction share).
"""

from __future__ import annotations

import numpy as np

from paperlab.hidam.metapaths import BANK_METAPATHS, to_metapath_edges


def endpoint_aggregates(data, mps=BANK_METAPATHS) -> np.ndarray:
    """Per meta-path: ``log1p(#neighbours)`` and the neighbours' mean x1, x2, x3 -> [N_c, 4 |mps|]."""
    x = data["company"].x.numpy()[:, :3].astype(np.float64)
    n = x.shape[0]
    cols = []
    for ei in to_metapath_edges(data, mps).values():
        nb, tg = ei.numpy()
        cnt = np.bincount(tg, minlength=n).astype(float)
        s = np.stack([np.bincount(tg, weights=x[nb, k], minlength=n) for k in range(3)], 1)
        cols += [np.log1p(cnt)[:, None], s / np.maximum(cnt, 1)[:, None]]
    return np.hstack(cols)


def content_aggregates(data) -> np.ndarray:
    """[N_c, 3]: own representative's credit, sum over borrowers of (amt/cap)(-x1_j), sum over
    customers of share (-x1_j)."""
    n = data["company"].num_nodes
    x1 = data["company"].x.numpy()[:, 0].astype(np.float64)
    comp, rep = data["company", "has_rep", "person"].edge_index.numpy()
    credit = np.zeros(n)
    credit[comp] = data["person"].x.numpy()[rep, 0]
    gi, gj = data["company", "guarantees", "company"].edge_index.numpy()  # guarantor, borrower
    ratio = data["company", "guarantees", "company"].edge_attr.numpy()[:, 1]
    guar = np.bincount(gi, weights=ratio * -x1[gj], minlength=n)
    ci, si = data["company", "buys_from", "company"].edge_index.numpy()  # customer, supplier
    share = data["company", "buys_from", "company"].edge_attr.numpy()[:, 1]
    trans = np.bincount(si, weights=share * -x1[ci], minlength=n)
    return np.column_stack([credit, guar, trans])
