# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% jtft.period_to_bin
from paperlab.core.exercises import hidden_check

hidden_check(
    "jtft.period_to_bin",
    period_to_bin,
    [
        ((24, 96, 16, 8), {}, 8.0),  # N = 80 // 8 + 2 = 12: 2 * 12 * 8 / 24
        ((10, 20, 4, 2), {}, 4.0),  # N = 10: 2 * 10 * 2 / 10
        ((7, 30, 5, 3), {}, 60 / 7),  # N = 25 // 3 + 2 = 10
    ],
)

# %% jtft.cdct_basis
import math

import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "jtft.cdct_basis",
    cdct_basis,
    [
        ((t(0.0), 2), {}, t([1.0, 1.0])),  # sqrt(2/2) cos 0
        ((t(0.5), 2), {}, t([math.sqrt(0.5), -math.sqrt(0.5)])),  # cos(pi/4), cos(3 pi/4)
        ((t(2 / 3, 0.0), 1), {}, t([math.sqrt(2) * 0.5], [math.sqrt(2)])),  # cos(pi/3) = 1/2
    ],
)

# %% jtft.top_m
import torch

from paperlab.core.exercises import hidden_check

hidden_check(
    "jtft.top_m",
    top_m,
    [
        # bins 1 and 3 score highest; bin 0 replaces the last one: {0, 1} / 4
        ((torch.tensor([0.0, 5.0, 1.0, 3.0]), 2), {}, torch.tensor([0.0, 0.25])),
        ((torch.tensor([9.0, 1.0, 8.0, 2.0, 7.0]), 3), {}, torch.tensor([0.0, 0.4, 0.8])),  # 0 already in
        ((torch.tensor([1.0, 2.0, 3.0]), 3), {}, torch.tensor([0.0, 1 / 3, 2 / 3])),  # M > N - 1: uniform
    ],
)

# %% jtft.patch
import torch

from paperlab.core.exercises import hidden_check

x = torch.arange(1.0, 7.0).reshape(1, 6, 1)  # one series 1..6
two = torch.cat([x, -x], dim=2)  # a second channel, negated
# padded 1 2 3 4 5 6 6 6; windows of 4 every 2 start at 0, 2, 4 -> columns are patches
cols = [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0], [3.0, 5.0, 6.0], [4.0, 6.0, 6.0]]
hidden_check(
    "jtft.patch",
    patch,
    [
        ((x, 4, 2), {}, torch.tensor([[cols]])),
        ((two, 4, 2), {}, torch.tensor([[cols, [[-v for v in row] for row in cols]]])),
        # 1..5 padded with three 5s; windows of 2 every 3: (1, 2), (4, 5), (5, 5)
        ((torch.arange(1.0, 6.0).reshape(1, 5, 1), 2, 3), {}, torch.tensor([[[[1.0, 4.0, 5.0], [2.0, 5.0, 5.0]]]])),
    ],
)
