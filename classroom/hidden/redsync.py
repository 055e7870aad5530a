# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% redsync.rgc_step
import torch

from paperlab.core.exercises import hidden_check

t = lambda *v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
hidden_check(
    "redsync.rgc_step",
    rgc_step,
    [
        # v = (1, -2, 0.5, 3): the two largest |v| are at 3 and 1
        ((t(1.0, -2.0, 0.5, 0.0), t(0.0, 0.0, 0.0, 3.0), 2), {}, (t(0.0, -2.0, 0.0, 3.0), t(1.0, 0.0, 0.5, 0.0))),
        ((t(0.25, 0.25), t(0.5, -1.5), 1), {}, (t(0.0, -1.25), t(0.75, 0.0))),
    ],
)

# %% redsync.trimmed_topk
import torch

from paperlab.core.exercises import hidden_check

hidden_check(
    "redsync.trimmed_topk",
    trimmed_topk,
    [
        # mean 2, max 10: the first threshold 2 + 0.8 * 8 = 8.4 already admits index 4
        ((torch.tensor([0.0, 0.0, 0.0, 0.0, 10.0]), 1), {}, torch.tensor([4])),
        # mean 3, max 9: thresholds 7.8, 6.6, 5.4 admit only index 1; 4.2 admits 1 and 3
        ((torch.tensor([1.0, -9.0, 0.0, 5.0, 0.0]), 2), {}, torch.tensor([1, 3])),
        ((torch.tensor([3.0, -1.0, 2.0]), 3), {}, torch.tensor([0, 1, 2])),  # k = n: falls back to all
    ],
)

# %% redsync.pack
import torch

from paperlab.core.exercises import hidden_check

f32 = lambda *v: torch.tensor(v, dtype=torch.float32)  # noqa: E731
# IEEE-754 bits as int32: 1.0 = 0x3F800000, 2.0 = 0x40000000, -0.0 = 0x80000000
hidden_check(
    "redsync.pack",
    pack_messages,
    [
        (([f32(1.0)], [torch.tensor([7])]), {}, torch.tensor([1, 1065353216, 7], dtype=torch.int32)),
        (
            ([f32(2.0, -0.0), f32()], [torch.tensor([3, 4]), torch.tensor([], dtype=torch.long)]),
            {},
            torch.tensor([2, 0, 1073741824, -2147483648, 3, 4], dtype=torch.int32),
        ),
    ],
)

# %% redsync.break_even
from paperlab.core.exercises import hidden_check

# with alpha = 0 the all-gather is no faster once (p - 1) b D >= 2 (p - 1) / p * 4, i.e. p >= 8 / (b D)
hidden_check(
    "redsync.break_even",
    break_even,
    [
        ((0.3, 1e6, 10.0, 0.0), {}, 4.0),  # 8 / 2.4 = 3.3
        ((0.3, 1e6, 10.0, 0.0), {"bytes_per_elem": 4}, 7.0),  # 8 / 1.2 = 6.7
        # D = 1, p = 2: T_AR = 2 alpha + 4 N beta = 6 ms, T_AG = alpha + 8 N beta = 9 ms (N beta = 1 ms)
        ((1.0, 1e6, 8.0, 1e-3), {}, 2.0),
    ],
)
