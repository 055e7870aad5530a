# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% recyclegpt.speedup
from paperlab.core.exercises import hidden_check

hidden_check(
    "recyclegpt.speedup",
    speedup,
    [
        ((1.0, 0.5), {}, 4 / 3),  # 2 / (1 + 0.5)
        ((2.0, 0.0), {"m": 4}, 2.0),  # a free module: 4 tokens for one (twice as dear) call
        ((1.0, 1.0), {"m": 3}, 1.0),  # a module as dear as the model: no gain
        ((1.5, 0.25), {"m": 5}, 2.0),  # 5 / (1.5 + 1)
    ],
)

# %% recyclegpt.fused_input
import torch

from paperlab.core.exercises import hidden_check

t = lambda *v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
hidden_check(
    "recyclegpt.fused_input",
    fused_input,
    [
        # d = 1: 10 * 2 + 100 * 3 + 1 (h multiplies the first column)
        ((t([[2.0]]), t([[3.0]]), t([10.0, 100.0]), t(1.0)), {}, t([[321.0]])),
        # [h ; e] = (1, 0, 0, 1): rows of W summed at columns 0 and 3
        ((t([[1.0, 0.0]]), t([[0.0, 1.0]]), t([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]), t(0.0, 0.0)), {}, t([[5.0, 13.0]])),
    ],
)

# %% recyclegpt.recycle_loss
import math

import torch

from paperlab.core.exercises import hidden_check

ln3 = math.log(3.0)
hidden_check(
    "recyclegpt.recycle_loss",
    recycle_loss,
    [
        ((torch.zeros(1, 1, 2, dtype=torch.float64), torch.tensor([[1, 1, 0]])), {}, math.log(2.0)),  # uniform
        # targets batch[:, 2:] = (1, 1): probabilities 3/4 and 1/4
        (
            (torch.tensor([[[0.0, ln3], [ln3, 0.0]]], dtype=torch.float64), torch.tensor([[0, 0, 1, 1]])),
            {},
            (math.log(4 / 3) + math.log(4.0)) / 2,
        ),
    ],
)
