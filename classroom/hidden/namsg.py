# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% namsg.iteration_matrix
from paperlab.core.exercises import hidden_check

hidden_check(
    "namsg.iteration_matrix",
    iteration_matrix,
    [
        # alpha = 0.5: [[0.5, 0.5 * 2], [-0.5 * 0.5 * 0.5, 1 - 1 * (1 - 0.25)]]
        ((0.5, 0.5, 1.0, 2.0), {}, [[0.5, 1.0], [-0.125, 0.25]]),
        ((0.0, 0.0, 0.5, 1.0), {}, [[0.0, 1.0], [0.0, 0.5]]),  # no momentum: x <- (1 - tau) x
        ((0.9, 1.0, 2.0, 4.0), {}, [[0.9, 0.4], [0.0, -1.0]]),  # mu = 1: pure gradient step, tau = 2
    ],
)

# %% namsg.obsb_lr_ratio
import math

from paperlab.core.exercises import hidden_check

# beta = 1/2: tau_cb2(mu = 1) = 1/2 and tau_cb2(mu = 0) = 2 (3/2 + sqrt 2) = 3 + 2 sqrt 2
hidden_check(
    "namsg.obsb_lr_ratio",
    obsb_lr_ratio,
    [
        ((0.9, 0.3, 0.3), {}, 1.0),
        ((0.5, 0.0, 1.0), {}, 0.5 / (3 + 2 * math.sqrt(2))),
        ((0.5, 1.0, 0.0), {}, 6 + 4 * math.sqrt(2)),
    ],
)

# %% namsg.step
import torch

from paperlab.core.exercises import hidden_check

t = lambda *v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
hidden_check(
    "namsg.step",
    namsg_step_exercise,
    [
        # m = 1, v = 1, vhat = 1; p = 1 - 0.1 (0.5 * 1 + 0.5 * 2) = 0.85
        ((t(1.0), t(2.0), t(0.0), t(0.0), t(0.0), 0.1, 0.5, 0.75, 0.5), {}, (t(0.85), t(1.0), t(1.0), t(1.0))),
        # beta1 = beta2 = 0: m = g, v = g^2 = 1; vhat keeps its larger 4: p = -(1/2, -1/1)
        (
            (t(0.0, 0.0), t(1.0, -1.0), t(1.0, 1.0), t(0.0, 0.0), t(4.0, 0.25), 1.0, 0.0, 0.0, 0.0),
            {},
            (t(-0.5, 1.0), t(1.0, -1.0), t(1.0, 1.0), t(4.0, 1.0)),
        ),
    ],
)

# %% namsg.tau_stability
from paperlab.core.exercises import hidden_check

hidden_check(
    "namsg.tau_stability",
    tau_stability,
    [
        ((0.0, 0.0), {}, 2.0),  # plain gradient descent: tau < 2
        ((0.5, 0.0), {}, 6.0),  # 2 * 1.5 / 0.5
        ((0.5, 1.0), {}, 2.0),  # 3 / 1.5
        ((0.9, 0.5), {}, 3.8),  # 3.8 / (0.1 + 0.9)
    ],
)
