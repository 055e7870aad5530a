# Hidden tests of the swTVM exercises (nbgrader), one section per exercise; written into the notebooks by
# `paperlab course annotate`. Expected values are worked out by hand in the comments, never taken from the
# library's reference.

# %% swtvm.dma_descriptor
from paperlab.core.exercises import hidden_check

hidden_check(
    "swtvm.dma_descriptor",
    dma_descriptor,
    [
        # whole rows of a (16, 8) tensor: 4 rows x 8 = 32 contiguous floats, one block of 128 bytes
        (((4, 8), (16, 8)), {}, (128, 1, 128, 1)),
        # half rows: 4 floats (16 bytes) per block, 4 blocks, rows 8 floats (32 bytes) apart
        (((4, 4), (16, 8)), {}, (16, 4, 32, 1)),
        # (2, 3, 4) of (5, 6, 7): runs of 4 floats, 3 per descriptor 7 floats apart, 2 descriptors
        (((2, 3, 4), (5, 6, 7)), {}, (16, 3, 28, 2)),
        # a column (3, 1) of a (9, 6) tensor: single floats 6 floats (24 bytes) apart
        (((3, 1), (9, 6)), {}, (4, 3, 24, 1)),
    ],
)

# %% swtvm.ldm_footprint
from paperlab.core.exercises import hidden_check

hidden_check(
    "swtvm.ldm_footprint",
    ldm_footprint,
    [
        (({"A": (2, 3)},), {}, 24),  # 6 floats x 4 bytes
        (({"A": (2, 3), "B": (4,)},), {"double_buffered": ("B",)}, 56),  # 24 + 2 x 16
        (({"W": (3, 3, 3), "x": (10,)},), {"double_buffered": ("W", "x")}, 296),  # 2 x 108 + 2 x 40
        (({},), {}, 0),
    ],
)

# %% swtvm.cpe_range
from paperlab.core.exercises import hidden_check

hidden_check(
    "swtvm.cpe_range",
    cpe_range,
    [
        ((0, 1), {}, (0, 1)),  # chunk ceil(1/64) = 1
        ((1, 1), {}, (1, 1)),  # nothing left: an empty range
        ((5, 130), {}, (15, 18)),  # chunk ceil(130/64) = 3
        ((43, 130), {}, (129, 130)),  # the last, short range
        ((44, 130), {}, (132, 130)),  # empty
        ((2, 10), {"n_cpe": 4}, (6, 9)),  # chunk ceil(10/4) = 3
    ],
)

# %% swtvm.fc_dma_floor
from paperlab.core.exercises import hidden_check
from paperlab.sunway.dma import bw_cg

bw_8k, bw_1k = bw_cg(8192.0), bw_cg(1024.0)
hidden_check(
    "swtvm.fc_dma_floor",
    fc_dma_floor,
    [
        ((100, 10), {}, 4000 / bw_8k),  # 4 bytes x 100 x 10 weights
        ((2, 3), {"batch": 4}, 24 / bw_8k),  # the batch does not change the weight traffic
        ((1000, 1000), {"block_bytes": 1024.0}, 4e6 / bw_1k),
    ],
    allow=("paperlab.sunway.dma.bw_cg",),
)

# %% swtvm.rlc_weight_bytes
from paperlab.core.exercises import hidden_check

hidden_check(
    "swtvm.rlc_weight_bytes",
    rlc_weight_bytes,
    [((800.0,), {}, 100.0), ((96.0,), {"rows": 3}, 32.0), ((1.0,), {}, 0.125)],
)
