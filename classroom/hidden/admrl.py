# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% admrl.implicit_term
import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "admrl.implicit_term",
    implicit_term,
    [
        # H = diag(-2, -4), g = (2, 4): H^-1 g = (-1, -1); J = (1, 1)^T gives -2
        ((t([-2.0, 0.0], [0.0, -4.0]), t([1.0], [1.0]), t(2.0, 4.0)), {}, t(-2.0)),
        # H = [[2, 1], [1, 2]], g = (3, 0): H^-1 g = (2, -1); J^T = [[1, 0], [1, 2]] gives (2, 0)
        ((t([2.0, 1.0], [1.0, 2.0]), t([1.0, 1.0], [0.0, 2.0]), t(3.0, 0.0)), {}, t(2.0, 0.0)),
    ],
)

# %% admrl.conjugate_gradient
import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "admrl.conjugate_gradient",
    conjugate_gradient,
    [
        # one iteration from x = 0: alpha = b.b / b.Ab = 2 / 3, x = alpha b
        ((t([1.0, 0.0], [0.0, 2.0]), t(1.0, 1.0), 1), {}, t(2 / 3, 2 / 3)),
        # A = 5 I: exact after one step
        ((5 * torch.eye(3, dtype=torch.float64), t(5.0, 10.0, -5.0), 1), {}, t(1.0, 2.0, -1.0)),
        # [[4, 1], [1, 3]] x = (1, 2): x = (1, 7) / 11 after two steps
        ((t([4.0, 1.0], [1.0, 3.0]), t(1.0, 2.0), 2), {}, t(1 / 11, 7 / 11)),
    ],
)

# %% admrl.projected_step
import torch

from paperlab.core.exercises import hidden_check

hidden_check(
    "admrl.projected_step",
    projected_step,
    [
        # u + 0.5 g = (0.5, 1.0, -1.5) -> clipped to [-1, 1]
        ((torch.tensor([0.0, 0.5, -0.5]), torch.tensor([1.0, 1.0, -2.0]), 0.5), {}, torch.tensor([0.5, 1.0, -1.0])),
        ((torch.tensor([0.2]), torch.tensor([-0.4]), 1.0), {}, torch.tensor([-0.2])),
    ],
)

# %% admrl.reinforce_hvp
import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "admrl.reinforce_hvp",
    reinforce_hvp,
    [
        # one row: s = (1, 2), Hl = -I, w = 2, v = (1, 1): s.v = 3, s * 3 + Hl v = (3, 6) + (-1, -1) = (2, 5); * 2
        ((t([1.0, 2.0]), -torch.eye(2, dtype=torch.float64)[None], t(2.0), t(1.0, 1.0)), {}, t(4.0, 10.0)),
        # two rows, Hl = 0: w = (1, -1), v = (2, 3): row 1 gives (2, 0), row 2 gives -(0, 3); mean (1, -1.5)
        ((t([1.0, 0.0], [0.0, 1.0]), torch.zeros(2, 2, 2, dtype=torch.float64), t(1.0, -1.0), t(2.0, 3.0)), {},
         t(1.0, -1.5)),
        # one row, s = 0: only the Hessian of log pi: w = -1, Hl = [[2, 1], [1, 3]], v = (1, -1) -> -(1, -2)
        ((t([0.0, 0.0]), t([[2.0, 1.0], [1.0, 3.0]]), t(-1.0), t(1.0, -1.0)), {}, t(-1.0, 2.0)),
    ],
)

# %% admrl.gae
import torch

from paperlab.core.exercises import hidden_check

t = lambda *rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
hidden_check(
    "admrl.gae",
    gae,
    [
        # r = (1, 2), V = (0.5, 1, 0), gamma = lam = 0.5: delta = (1 + 0.5 - 0.5, 2 + 0 - 1) = (1, 1);
        # A_1 = 1, A_0 = 1 + 0.25 * 1 = 1.25
        ((t([1.0, 2.0]), t([0.5, 1.0, 0.0]), 0.5, 0.5), {}, t([1.25, 1.0])),
        # lam = 1, V = 0, gamma = 0.5: rewards-to-go of (1, 2, 4) = (1 + 1 + 1, 2 + 2, 4) = (3, 4, 4)
        ((t([1.0, 2.0, 4.0]), t([0.0, 0.0, 0.0, 0.0]), 0.5, 1.0), {}, t([3.0, 4.0, 4.0])),
        # lam = 0: TD residuals r_t + 0.9 V_{t+1} - V_t with V = (1, 2, 0): (1 + 1.8 - 1, 3 + 0 - 2) = (1.8, 1)
        ((t([1.0, 3.0]), t([1.0, 2.0, 0.0]), 0.9, 0.0), {}, t([1.8, 1.0])),
    ],
)
