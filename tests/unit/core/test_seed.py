import random

import numpy as np
import pytest
import torch

from paperlab.core.seed import seed_everything


def draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_same_seed_same_draws_different_seed_different_draws():
    g1 = seed_everything(7)
    a = draws() + (g1.random(),)
    g2 = seed_everything(7)
    b = draws() + (g2.random(),)
    seed_everything(8)
    c = draws()
    assert a == b
    assert all(x != y for x, y in zip(a, c, strict=False))
    assert torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize(
    "bad, err", [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("0", TypeError)]
)
def test_bad_seed(bad, err):
    with pytest.raises(err, match="seed"):
        seed_everything(bad)
