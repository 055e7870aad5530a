# Hidden tests (nbgrader), one section per exercise; written into the notebooks by `paperlab course
# annotate`. Expected values are worked out by hand in the comments, never taken from the library.

# %% core.softmax
import numpy as np

from paperlab.core.exercises import hidden_check

hidden_check(
    "core.softmax",
    softmax,
    [
        ((np.array([[0.0, 0.0]]),), {}, np.array([[0.5, 0.5]])),
        ((np.array([[0.0, np.log(3.0)]]),), {}, np.array([[0.25, 0.75]])),  # e^0 : e^ln3 = 1 : 3
        # large scores: exp overflows unless the row maximum is subtracted first
        ((np.array([[1000.0, 1000.0, 1000.0], [-1000.0, 0.0, -1000.0]]),), {}, np.array([[1 / 3] * 3, [0.0, 1.0, 0.0]])),
    ],
)
