# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% drdrl.convolve
import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "drdrl.convolve",
    convolve,
    [
        ((t([0.5, 0.5], [0.5, 0.5]),), {}, t(0.25, 0.5, 0.25)),  # two fair coins: 0, 1, 2
        ((t([1.0, 0.0, 0.0]),), {}, t(1.0, 0.0, 0.0)),  # one channel: unchanged
        # (0.2, 0.8) * (1, 0) = (0.2, 0.8, 0); * (0.5, 0.5) = (0.1, 0.5, 0.4, 0)
        ((t([0.2, 0.8], [1.0, 0.0], [0.5, 0.5]),), {}, t(0.1, 0.5, 0.4, 0.0)),
    ],
)

# %% drdrl.project
import torch

from paperlab.core.exercises import hidden_check

z = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0], dtype=torch.float64)
tz = torch.tensor([0.25, 1.0, 3.0, -1.0, 1.6], dtype=torch.float64)
p = torch.full((5,), 0.2, dtype=torch.float64)
# 0.25 splits evenly over atoms 0 and 1; 1.0 sits on atom 2; 3.0 and -1.0 clip to the ends;
# 1.6 is b = 3.2: 0.8 of its mass to atom 3 and 0.2 to atom 4
expected = torch.tensor([0.1 + 0.2, 0.1, 0.2, 0.16, 0.2 + 0.04], dtype=torch.float64)
hidden_check("drdrl.project", project, [((tz, p, z), {}, expected)])

# %% drdrl.disentangle
import math

import torch

from paperlab.core.exercises import hidden_check

F = torch.tensor([[0.5, 0.5], [0.25, 0.75]], dtype=torch.float64)
# a* = (0, 1): KL(F0 || F1) + KL(F1 || F0)
kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75) + 0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
hidden_check(
    "drdrl.disentangle",
    disentangle,
    [
        ((F, torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)), {}, kl),
        ((F, torch.tensor([[1.0, 0.0], [2.0, 0.0], [3.0, -1.0]], dtype=torch.float64)), {}, 0.0),  # all pick 0
    ],
)
