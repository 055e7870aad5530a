"""Logic of the cost-model explorer widget (04_explore): speed-up curves and the break-even p."""

from __future__ import annotations

import numpy as np

from paperlab.redsync.cost import Network, break_even_p, speedup


def speedup_curves(
    gbps: float,
    p_max: int,
    n: float,
    density: float,
    t_comp: float,
    t_sel: float,
    alpha: float = 50e-6,
    bytes_per_elem: float = 8,
) -> dict:
    """Predicted S(p) for p = 2..p_max on a ``gbps`` link; times in seconds.

    Returns ``p`` (array), ``comm`` (T_AR / T_AG, communication only), ``total`` (with T_comp and
    T_sel), ``break_even_comm`` and ``break_even_total`` (first p where the ratio drops to <= 1).
    """
    if not (isinstance(p_max, int) and p_max >= 2):
        raise ValueError(f"p_max must be an int >= 2, got {p_max!r}")
    if not gbps > 0:
        raise ValueError(f"gbps must be positive, got {gbps!r}")
    net = Network.from_gbps(gbps, alpha)
    p = np.unique(np.round(np.geomspace(2, p_max, 200)).astype(int)).astype(float)
    comm = speedup(n, p, density, net, bytes_per_elem=bytes_per_elem)
    total = speedup(n, p, density, net, t_comp, t_sel, bytes_per_elem=bytes_per_elem)
    return {
        "p": p,
        "comm": comm,
        "total": total,
        "break_even_comm": break_even_p(density, bytes_per_elem, net=net, n=n, p_max=max(p_max, 2) * 4),
        "break_even_total": float(p[np.flatnonzero(total <= 1)[0]]) if np.any(total <= 1) else float("inf"),
    }
