import multiprocessing as mp

import pytest
import torch

from paperlab.sunway.net import allreduce_schedule, message_stats
from paperlab.swcaffe.dist_allreduce import (
    ALGOS,
    compare_with_model,
    model_log,
    rhd_masks,
    run_local,
    run_threads,
)


@pytest.mark.parametrize("p", [1, 2, 3, 4, 5, 8, 16, 64])
def test_threads_equal_sum_and_model_log(p):
    for n in sorted({1, max(p - 1, 1), p, 1003}):
        xs = [torch.randint(-50, 50, (n,)).float() for _ in range(p)]
        ref = sum(xs)
        for algo in ALGOS:
            if algo.startswith("rhd") and p & (p - 1):
                continue
            if p == 64 and (n == 1003 or algo in ("ring", "rhd_far")):
                continue  # thousands of thread messages: covered at smaller P
            out, log = run_threads(algo, xs)
            assert all(torch.equal(o, ref) for o in out)
            assert list(log) == list(model_log(algo, p, n))
            if p == 1:
                assert log == []


def test_closed_forms():
    p, n, s = 8, 1000003, 4
    for algo, msgs, cross in (
        ("ring", 112, 14000040),
        ("rhd_near", 48, 8000024),
        ("rhd_far", 48, 32000096),
        ("binomial", 14, 8000024),
    ):
        got = message_stats(allreduce_schedule(algo, p, n, 4, s), s)
        assert got == (msgs, 2 * (p - 1) * n * 4, cross)


def test_bad_inputs():
    with pytest.raises(ValueError, match="P=6.*ring.*binomial"):
        rhd_masks(6)
    with pytest.raises(ValueError, match="sizes differ"):
        run_threads("ring", [torch.zeros(4), torch.zeros(5)])
    with pytest.raises(ValueError, match="algo"):
        run_threads("tree", [torch.zeros(4)] * 2)
    with pytest.raises(ValueError, match="n"):
        run_local(p=4, n=-1)
    with pytest.raises(ValueError, match="P=6"):
        run_local(("rhd_near",), p=6, n=10)


def test_non_contiguous_input_is_copied():
    x = torch.arange(20.0)[::2]
    out, _ = run_threads("ring", [x, x])
    assert torch.equal(out[0], 2 * x)


gloo = pytest.mark.skipif(
    not (
        torch.distributed.is_available()
        and torch.distributed.is_gloo_available()
        and "fork" in mp.get_all_start_methods()
    ),
    reason="needs torch.distributed with gloo and the fork start method",
)


@gloo
def test_gloo_four_processes_equal_all_reduce_and_model():
    r = run_local(ALGOS, p=4, n=1003, timeout_s=60)
    assert all(a.equal_to_all_reduce for a in r.algos.values())
    assert all(row["log_equal"] for row in compare_with_model(r))


@gloo
def test_gloo_float_inputs_rtol():
    r = run_local(("ring",), p=4, n=4099, values="float", timeout_s=60)
    assert r.algos["ring"].equal_to_all_reduce and r.algos["ring"].max_rel_err < 1e-4


def _dies_on_rank_one(rank, p, rdzv, timeout_s, q):
    import os

    if rank == 1:
        os._exit(3)
    return rank


@gloo
def test_dead_worker_fails_fast_with_clear_error():
    from paperlab.swcaffe.dist_allreduce import launch

    with pytest.raises(RuntimeError, match="rank 1"):
        launch(_dies_on_rank_one, 2, (), timeout_s=20)


def test_loopback_rejects_bad_sizes():
    from paperlab.swcaffe.dist_allreduce import loopback_alpha_beta

    with pytest.raises(ValueError, match="sizes"):
        loopback_alpha_beta(sizes=(4,))
