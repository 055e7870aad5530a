"""The MNIST-5k loader: layout, shapes, scaling, class balance, determinism, bad input."""

import numpy as np
import pytest
import torch

from paperlab.core import budget
from paperlab.namsg import mnist


@pytest.fixture(scope="module")
def arrays():
    return mnist.load_mnist5k_arrays()


def test_raw_layout(arrays):
    X, y = arrays
    assert X.shape == (5000, 784) and y.shape == (5000,)
    assert X.min() == 0 and X.max() == 255
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))


def test_split_shapes_scale_balance():
    Xtr, ytr, Xte, yte = mnist.mnist5k(split_seed=0, test_size=1000)
    assert Xtr.shape == (4000, 784) and Xte.shape == (1000, 784)
    assert Xtr.dtype == torch.float32 and ytr.dtype == torch.int64
    assert float(Xtr.min()) == 0.0 and float(Xtr.max()) == 1.0
    assert torch.bincount(ytr).tolist() == [400] * 10
    assert torch.bincount(yte).tolist() == [100] * 10
    # train and test are disjoint images (no duplicate rows across the split in this file)
    tr = {row.tobytes() for row in Xtr.numpy()}
    assert not any(row.tobytes() in tr for row in Xte.numpy())


def test_subset_is_stratified():
    Xtr, ytr, Xte, yte = mnist.mnist5k(split_seed=3, test_size=500, train_size=500)
    assert Xtr.shape == (500, 784) and Xte.shape == (500, 784)
    assert torch.bincount(ytr).tolist() == [50] * 10


def test_deterministic_and_seed_dependent():
    a = mnist.mnist5k(split_seed=1, test_size=500, train_size=500)
    b = mnist.mnist5k(split_seed=1, test_size=500, train_size=500)
    c = mnist.mnist5k(split_seed=2, test_size=500, train_size=500)
    for u, v in zip(a, b, strict=True):
        torch.testing.assert_close(u, v, rtol=0, atol=0)
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"test_size": 0.2}, "test_size"),
        ({"test_size": 5}, "test_size"),
        ({"train_size": 4500}, "train_size"),
    ],
)
def test_bad_input(kw, name):
    with pytest.raises(ValueError, match=name):
        mnist.mnist5k(**kw)


def test_configs_and_run():
    for b in budget.BUDGETS:
        cfg = mnist.for_budget(b)
        assert cfg.train_size + cfg.test_size <= 5000 and set(cfg.logreg_lrs) == set(cfg.mlp_lrs) == {
            "Adam",
            "NAMSG",
        }
    data = mnist.mnist5k(test_size=100, train_size=200)
    out = mnist.compare("logreg", {"Adam": (0.01,), "NAMSG": (0.1,)}, 2, (0, 1), data, 64)
    for res in out.values():
        assert len(res["histories"]) == 2 and len(res["histories"][0]["train_loss"]) == 3
        assert res["histories"][0]["train_loss"][-1] < res["histories"][0]["train_loss"][0]
