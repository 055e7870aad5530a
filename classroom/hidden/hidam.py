# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% hidam.metapath_adjacency
import numpy as np

from paperlab.core.exercises import hidden_check

hidden_check(
    "hidam.metapath_adjacency",
    metapath_adjacency,
    [
        # companies 0-1 share person 0, companies 1-2 share person 1
        ((np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]),), {}, np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])),
        ((np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]]),), {}, np.array([[0.0, 2.0], [2.0, 0.0]])),  # two shared people
    ],
)

# %% hidam.segment_softmax
import numpy as np

from paperlab.core.exercises import hidden_check

hidden_check(
    "hidam.segment_softmax",
    segment_softmax_np,
    [
        ((np.array([0.0, 0.0, 0.0, np.log(3.0)]), np.array([0, 0, 1, 1]), 2), {}, np.array([0.5, 0.5, 0.25, 0.75])),
        # unsorted groups, an empty group 2, scores that overflow without the max shift
        ((np.array([1000.0, 7.0, 1000.0]), np.array([1, 0, 1]), 3), {}, np.array([0.5, 1.0, 0.5])),
    ],
)

# %% hidam.content_attention
import math

import numpy as np

from paperlab.core.exercises import hidden_check

items = np.array([[[1.0, 2.0], [3.0, 4.0]]])
hidden_check(
    "hidam.content_attention",
    content_attention_np,
    [
        # q = 0: equal weights, the mean item
        ((items, np.eye(2), np.ones(2), np.zeros(2)), {}, np.array([[2.0, 3.0]])),
        # scores tanh(+-1000) = -1, +1: weights 1 / (1 + e^2), e^2 / (1 + e^2): 10 tanh(1)
        ((np.array([[[-10.0], [10.0]]]), np.array([[100.0]]), np.zeros(1), np.ones(1)), {}, np.array([[10 * math.tanh(1.0)]])),
    ],
)

# %% hidam.ks_stat
import numpy as np

from paperlab.core.exercises import hidden_check

hidden_check(
    "hidam.ks_stat",
    ks_statistic,
    [
        ((np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])), {}, 1.0),  # separated
        ((np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.6])), {}, 0.5),  # TPR - FPR: .5, 0, .5, 0
        ((np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.5])), {}, 0.0),  # one tie block
        # TPR 1/3, 2/3, 2/3, 1, 1, 1 against FPR 0, 0, 1/3, 1/3, 2/3, 1
        ((np.array([1, 1, 0, 1, 0, 0]), np.arange(6.0, 0.0, -1.0)), {}, 2 / 3),
    ],
)
