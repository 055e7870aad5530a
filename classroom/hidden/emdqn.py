# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% emdqn.write_episode
from paperlab.core.exercises import hidden_check

hidden_check(
    "emdqn.write_episode",
    write_episode,
    [
        # backwards: clip(2) = 1 -> key 2; 0.5 + 0.5 * 1 = 1 -> key 1
        (({}, [1, 2], [0.5, 2.0], 0.5, (-1.0, 1.0)), {}, {1: 1.0, 2: 1.0}),
        # returns -1, -1, 0: key 3 keeps its better 5.0
        (({3: 5.0}, [3, 3, 4], [1.0, 0.0, -3.0], 1.0, (-1.0, 1.0)), {}, {3: 5.0, 4: -1.0}),
        # 0.4, then 0.2 + 0.9 * 0.4 = 0.56: the max over repeated visits
        (({0: -2.0}, [0, 0], [0.2, 0.4], 0.9, (-1.0, 1.0)), {}, {0: 0.56}),
    ],
)

# %% emdqn.loss
import torch

from paperlab.core.exercises import hidden_check

hidden_check(
    "emdqn.loss",
    emdqn_loss_mine,
    [
        # huber(-0.5) = 0.125, huber(-3) = 2.5; memory term only for the hit: 0.5 * huber(-2) = 0.75
        # mean(0.125 + 0.75, 2.5) = 1.6875
        (
            (torch.tensor([0.0, 1.0]), torch.tensor([0.5, 4.0]), torch.tensor([2.0, 0.0]), torch.tensor([True, False]), 0.5),
            {},
            1.6875,
        ),
        ((torch.tensor([1.0]), torch.tensor([1.0]), torch.tensor([10.0]), torch.tensor([True]), 0.0), {}, 0.0),
    ],
)

# %% emdqn.steps_to_threshold
from paperlab.core.exercises import hidden_check

steps = [10, 20, 30, 40, 50]
hidden_check(
    "emdqn.steps_to_threshold",
    steps_to_threshold_mine,
    [
        ((steps, [1.0, 0.0, 1.0, 1.0, 1.0], 0.5), {}, 30),  # the run of three starts at step 30
        ((steps[:2], [0.9, 0.9], 0.5), {}, None),  # never three in a row
        ((steps[:3], [0.5, 0.4, 0.5], 0.5), {"patience": 1}, 10),  # reaching the threshold counts
    ],
)
