# Hidden tests of the swCaffe exercises (nbgrader), one section per exercise; written into the notebooks by
# `paperlab course annotate`. Expected values are worked out by hand in the comments, never taken from the
# library's reference.

# %% swcaffe.ldm_bytes
from paperlab.core.exercises import hidden_check

hidden_check(
    "swcaffe.ldm_bytes",
    ldm_bytes,
    [
        ((8, 8, 8, 1), {}, 20),  # No/8 = Ni/8 = B/8 = 1: 4 x (2 + 2 + 1)
        ((16, 8, 8, 2), {}, 56),  # Ni/8 = 2: 4 x (2*1*2 + 2*2*2*1 + 2*1*1) = 4 x 14
        ((64, 128, 32, 3), {}, 2560),  # 4 x (2*16*8 + 2*3*8*4 + 3*16*4) = 4 x 640
    ],
)

# %% swcaffe.rhd_split
from paperlab.core.exercises import hidden_check

hidden_check(
    "swcaffe.rhd_split",
    rhd_split,
    [
        (([0, 1, 2, 3], 0, 1), {}, ([1, 3], [0, 2])),  # odd chunks go to the partner
        (([0, 1, 2, 3], 3, 2), {}, ([0, 1], [2, 3])),  # bit 1 set on rank 3: keep 2, 3
        (([4, 5, 6, 7], 5, 4), {}, ([], [4, 5, 6, 7])),  # all share bit 2 with rank 5
        (([1, 3, 5, 7], 2, 2), {}, ([1, 5], [3, 7])),
    ],
)

# %% swcaffe.uses_direct
from paperlab.core.exercises import hidden_check

hidden_check(
    "swcaffe.uses_direct",
    uses_direct,
    [
        ((256, 128, 128, 1), {}, True),
        ((128, 64, 96, 1), {}, True),
        ((64, 64, 64, 1), {}, False),  # batch below 128
        ((128, 32, 64, 1), {}, False),  # Ni below 64
        ((128, 64, 100, 1), {}, False),  # No not a multiple of 32
        ((128, 128, 128, 4), {}, False),  # grouped convolution
        ((512, 3, 64, 1), {}, False),  # the first layer (3 input channels)
    ],
)

# %% swcaffe.needed_t_comp
from paperlab.core.exercises import hidden_check

hidden_check(
    "swcaffe.needed_t_comp",
    needed_t_comp,
    [
        ((512.0, 1.0), {}, 1.0),  # 512 x 1 / (1024 - 512)
        ((256.0, 0.3), {}, 0.1),  # 76.8 / 768
        ((10.0, 2.0), {"p": 20}, 2.0),  # 20 / 10
    ],
)

# %% swcaffe.iteration_overlap
from paperlab.core.exercises import hidden_check

hidden_check(
    "swcaffe.iteration_overlap",
    iteration_overlap,
    [
        ((1.0, 0.5, 0.2, 1.0), {}, 1.3),  # only the 0.2 s backward pass can hide communication
        ((1.0, 0.5, 0.8, 0.5), {}, 1.25),  # half of the allreduce hidden
        ((2.0, 0.4, 0.0, 1.0), {}, 2.4),  # nothing to hide behind
        ((0.5, 0.2, 1.0, 0.0), {}, 0.7),  # no overlap
    ],
)
