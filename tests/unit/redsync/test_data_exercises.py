"""Digits loader (shapes, classes, shuffling, no sockets) and the exercises (stub fails, reference passes)."""

import socket

import numpy as np
import pytest

from paperlab.core.exercises import check
from paperlab.data.small import digits
from paperlab.redsync import exercises as ex
from paperlab.redsync.data import shard_batches


def test_digits_shapes_classes_and_no_socket(monkeypatch):
    def no_socket(*a, **k):
        raise AssertionError("a data loader opened a socket")

    monkeypatch.setattr(socket, "socket", no_socket)
    xtr, ytr, xte, yte = digits()
    assert xtr.shape == (1437, 64) and xte.shape == (360, 64)
    assert set(ytr.tolist()) == set(yte.tolist()) == set(range(10))
    assert 0.0 <= xtr.min() and xtr.max() <= 1.0
    assert len(set(ytr[:50].tolist())) > 5  # shuffled, not sorted by class
    again = digits()
    assert np.array_equal(again[1], ytr)


def test_shard_batches_equal_steps_and_disjoint_shards():
    a = shard_batches(101, 2, 0, 10, epoch=0, seed=0)
    b = shard_batches(101, 2, 1, 10, epoch=0, seed=0)
    assert len(a) == len(b) == 5
    assert not set(np.concatenate(a)) & set(np.concatenate(b))
    with pytest.raises(ValueError, match="batch"):
        shard_batches(10, 2, 0, 6, epoch=0, seed=0)


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("redsync.rgc_step", ex.rgc_step_reference),
        ("redsync.trimmed_topk", ex.trimmed_topk_reference),
        ("redsync.pack", ex.pack_reference),
        ("redsync.break_even", ex.break_even_reference),
    ],
)
def test_exercises_fail_on_stub_and_pass_on_reference(name, ref, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert check(name, stub) is False
    assert check(name, ref) is True


def test_exercises_catch_a_wrong_answer():
    def wrong_trimmed(x, k, eps=0.2):
        return np.sort(np.argsort(-x.numpy())[:k])  # signed, not magnitude

    assert check("redsync.trimmed_topk", wrong_trimmed, quiet=True) is False
