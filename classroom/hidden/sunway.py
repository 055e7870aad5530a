# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% sunway.bw_cg
import numpy as np

from paperlab.core.exercises import hidden_check

hidden_check(
    "sunway.bw_cg",
    bw_cg,
    [
        ((100.0, 1e9, 100.0), {}, 5e8),  # a block as large as h gets half the peak
        ((np.array([0.0, 300.0]), 4.0, 100.0), {}, np.array([0.0, 3.0])),
    ],
)

# %% sunway.gemm_ldm_bytes
from paperlab.core.exercises import hidden_check

hidden_check(
    "sunway.gemm_ldm_bytes",
    gemm_ldm_bytes,
    [
        ((2, 3, False), {}, 64),  # (2*3 + 3*2 + 2*2) floats
        ((2, 3, True), {}, 112),  # two copies of A and B: 24 + 4
        ((4, 1, True), {"itemsize": 8}, 256),  # (2 * 2 * 4 + 16) doubles
    ],
)

# %% sunway.summa_sources
from paperlab.core.exercises import hidden_check

hidden_check(
    "sunway.summa_sources",
    summa_sources,
    [
        ((1,), {"mesh": 2}, ([[1, 1], [3, 3]], [[2, 3], [2, 3]])),  # A from column 1, B from row 1
        ((0,), {"mesh": 3}, ([[0, 0, 0], [3, 3, 3], [6, 6, 6]], [[0, 1, 2]] * 3)),
    ],
)
