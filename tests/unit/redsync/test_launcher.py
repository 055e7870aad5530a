"""The launcher fails fast and cleanly: dead, stuck and never-joining workers; bad arguments."""

import multiprocessing as mp
import os
import time

import pytest
import torch
import torch.distributed as dist

from paperlab.redsync.launcher import WorkerFailed, WorkerTimeout, launch


def _sum_ranks(rank, world):
    t = torch.tensor([float(rank)])
    dist.all_reduce(t)
    return float(t)


def _exit_mid_training(rank, world):
    t = torch.ones(4)
    for step in range(10):
        if rank == 1 and step == 3:
            os._exit(3)
        dist.all_reduce(t)
    return "done"


def _sleep_in_step(rank, world):
    t = torch.ones(4)
    for step in range(10):
        if rank == 1 and step == 2:
            time.sleep(3600)
        dist.all_reduce(t)
    return "done"


def _sleep_outside(rank, world):
    time.sleep(3600)


def _raise(rank, world):
    if rank == 0:
        raise KeyError("boom in the worker")
    dist.barrier()


def test_launch_returns_results_by_rank():
    assert launch(_sum_ranks, 3, timeout_s=30, pg_timeout_s=10) == [3.0, 3.0, 3.0]
    assert not mp.active_children()


def test_a_worker_that_exits_is_named_with_its_exit_code():
    t0 = time.monotonic()
    with pytest.raises(WorkerFailed) as err:
        launch(_exit_mid_training, 2, timeout_s=20, pg_timeout_s=5)
    assert err.value.rank == 1 and err.value.exitcode == 3
    assert "rank 1" in str(err.value) and "exit code 3" in str(err.value)
    assert time.monotonic() - t0 < 5 + 5
    assert not mp.active_children()


def test_a_stuck_worker_fails_within_the_process_group_timeout():
    t0 = time.monotonic()
    with pytest.raises(WorkerFailed, match="rank 0"):
        launch(_sleep_in_step, 2, timeout_s=20, pg_timeout_s=2)
    assert time.monotonic() - t0 < 2 + 8
    assert not mp.active_children()  # the sleeper was terminated


def test_workers_that_never_finish_time_out():
    t0 = time.monotonic()
    with pytest.raises(WorkerTimeout, match="timeout_s"):
        launch(_sleep_outside, 2, timeout_s=3, pg_timeout_s=2)
    assert 3 <= time.monotonic() - t0 < 12
    assert not mp.active_children()


def test_a_worker_dying_before_rendezvous(monkeypatch):
    real = dist.init_process_group

    def dying(*args, rank, **kwargs):
        if rank == 1:
            os._exit(4)
        return real(*args, rank=rank, **kwargs)

    monkeypatch.setattr(dist, "init_process_group", dying)  # inherited by the forked children
    t0 = time.monotonic()
    with pytest.raises(WorkerFailed) as err:
        launch(_sum_ranks, 2, timeout_s=20, pg_timeout_s=2)
    assert err.value.rank == 1 and err.value.exitcode == 4
    assert time.monotonic() - t0 < 2 + 8
    assert not mp.active_children()


def test_a_python_error_carries_the_traceback():
    with pytest.raises(WorkerFailed, match="boom in the worker"):
        launch(_raise, 2, timeout_s=20, pg_timeout_s=2)
    assert not mp.active_children()


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"world_size": 0}, "world_size"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": -1.0}, "timeout_s"),
        ({"pg_timeout_s": float("nan")}, "pg_timeout_s"),
        ({"start_method": "threads"}, "start_method"),
    ],
)
def test_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        launch(_sum_ranks, **kwargs)
