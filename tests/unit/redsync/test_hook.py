"""The DDP hook on 2 gloo processes: equals DDP at density 1, ranks in sync, equals the single-process
reference, exact byte accounting; configuration and optimiser checks. One launch for the module."""

import math

import numpy as np
import pytest
import torch
import torch._dynamo  # noqa: F401  (pre-import: forked children then build DDP in milliseconds)
from torch import nn

from paperlab.redsync.data import shard_batches
from paperlab.redsync.hook import RGCConfig, check_dense_gradients, make_optimizer, register
from paperlab.redsync.launcher import launch
from paperlab.redsync.models import mlp
from paperlab.redsync.reference import simulate_rgc
from paperlab.redsync.selection import ExactTopK, ReusedThreshold, ThresholdBinarySearch, num_selected
from paperlab.redsync.train import make_train_job, merge, run_jobs

N_ROWS, BATCH = 400, 10  # 2 ranks x 200 rows / 10 = 20 steps per epoch


def synthetic(n_features, n_classes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_classes, n_features))
    y = rng.integers(0, n_classes, size=N_ROWS)
    x = (centers[y] + rng.normal(size=(N_ROWS, n_features))).astype(dtype)
    return x, y, x[:50], y[:50]


DATA32 = synthetic(20, 4, np.float32)
DATA64 = synthetic(20, 4, np.float64, seed=1)
SIZES_DDP = (20, 64, 32, 4)
LM_CORPUS = {"train": np.random.default_rng(0).integers(0, 7, 400), "val": np.arange(60) % 7}
SIZES_REF = (20, 32, 32, 4)
REF_CFG = dict(density=0.05, memory="momentum", momentum=0.9, weight_decay=1e-4, min_numel=500)


def common(**kw):
    return dict(epochs=1, batch=BATCH, lr=0.1, seed=3, eval=False, **kw)


JOBS = [
    make_train_job("none_m", DATA32, SIZES_DDP, momentum=0.9, **common()),
    make_train_job("allreduce_m", DATA32, SIZES_DDP, hook="allreduce", momentum=0.9, **common()),
    make_train_job("none_plain", DATA32, SIZES_DDP, momentum=0.0, **common()),
    make_train_job(
        "rgc_residual_d1",
        DATA32,
        SIZES_DDP,
        hook="rgc",
        rgc=RGCConfig(density=1.0, memory="residual", momentum=0.9, min_numel=0),
        **common(),
    ),
    make_train_job(
        "rgc_momentum_d1",
        DATA32,
        SIZES_DDP,
        hook="rgc",
        rgc=RGCConfig(density=1.0, memory="momentum", min_numel=0),
        **common(),
    ),
    make_train_job(
        "exact", DATA32, SIZES_DDP, hook="rgc", rgc=RGCConfig(density=0.01, min_numel=500), **common()
    ),
    make_train_job(
        "binary_search",
        DATA32,
        SIZES_DDP,
        hook="rgc",
        rgc=RGCConfig(density=0.01, min_numel=500, selector=ThresholdBinarySearch()),
        **common(),
    ),
    make_train_job(
        "reused",
        DATA32,
        SIZES_DDP,
        hook="rgc",
        rgc=RGCConfig(density=0.01, min_numel=500, selector=ReusedThreshold(every=3)),
        **common(),
    ),
    make_train_job(
        "signmean",
        DATA32,
        SIZES_DDP,
        hook="rgc",
        rgc=RGCConfig(density=0.01, min_numel=500, quantize="sign-mean"),
        **common(),
    ),
    {
        "kind": "lm",
        "name": "lm_rgc",
        "corpus": LM_CORPUS,
        "lm": (7, 4, 8, 1),
        "steps": 6,
        "seq": 5,
        "batch": 3,
        "lr": 0.5,
        "seed": 0,
        "eval_every": 3,
        "eval_windows": 4,
        "hook": "rgc",
        "rgc": RGCConfig(density=0.05, min_numel=100, clip_norm=1.0),
    },
    make_train_job(
        "ref_exact",
        DATA64,
        SIZES_REF,
        hook="rgc",
        rgc=RGCConfig(**REF_CFG),
        dtype=torch.float64,
        return_params=True,
        **common(),
    ),
    make_train_job(
        "ref_bs",
        DATA64,
        SIZES_REF,
        hook="rgc",
        rgc=RGCConfig(**REF_CFG, selector=ThresholdBinarySearch()),
        dtype=torch.float64,
        return_params=True,
        **common(),
    ),
]


@pytest.fixture(scope="module")
def runs():
    return {r["name"]: r for r in merge(launch(run_jobs, 2, args=(JOBS,), timeout_s=120, pg_timeout_s=30))}


def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


def test_allreduce_hook_equals_no_hook(runs):
    assert runs["allreduce_m"]["losses"] == runs["none_m"]["losses"]
    assert len(runs["none_m"]["losses"]) == 20


def test_density_one_residual_memory_equals_ddp_with_the_same_optimiser(runs):
    assert rel(runs["rgc_residual_d1"]["losses"], runs["none_m"]["losses"]) <= 1e-6


def test_density_one_momentum_memory_equals_momentum_free_ddp(runs):
    assert rel(runs["rgc_momentum_d1"]["losses"], runs["none_plain"]["losses"]) <= 1e-6
    assert rel(runs["rgc_momentum_d1"]["losses"], runs["none_m"]["losses"]) > 1e-3  # not momentum SGD


@pytest.mark.parametrize(
    "name", ["none_m", "exact", "binary_search", "reused", "signmean", "lm_rgc", "ref_exact", "ref_bs"]
)
def test_ranks_stay_bit_identical(runs, name):
    assert runs[name]["in_sync"]
    assert all(math.isfinite(x) for x in runs[name]["losses"])


def test_byte_accounting_equals_the_closed_form(runs):
    model = mlp(SIZES_DDP)
    numels = [p.numel() for p in model.parameters()]
    dense_step = 4 * sum(numels)
    sparse_step = sum(8 * num_selected(n, 0.01) if n >= 500 else 4 * n for n in numels)
    expected = [dense_step] * 2 + [sparse_step] * 18  # start_iter = 2 warm steps
    run = runs["exact"]
    assert run["bytes_sent"] == expected
    assert run["bytes_dense"] == [dense_step] * 20
    assert run["stats"]["ratio"] == pytest.approx(sum(expected) / (20 * dense_step), rel=1e-12)


def test_wire_bytes_add_the_header_and_for_variable_sizes_the_size_exchange_and_padding(runs):
    numels = [p.numel() for p in mlp(SIZES_DDP).parameters()]
    big = [n for n in numels if n >= 500]
    dense_step = 4 * sum(numels)
    small = 4 * sum(n for n in numels if n < 500)
    exact_step = small + sum(8 * num_selected(n, 0.01) for n in big) + 4 * len(big)  # + one count per layer
    assert runs["exact"]["bytes_wire"] == [dense_step] * 2 + [exact_step] * 18
    bs = runs["binary_search"]
    for wire, nnz, sent in zip(bs["bytes_wire"][2:], bs["nnz"][2:], bs["bytes_sent"][2:], strict=True):
        # one bucket here: 8-byte size exchange + the packed buffer padded to the largest rank's
        assert wire >= small + 8 * nnz + 4 * len(big) + 8 and wire - sent >= 4 * len(big) + 8


def test_sign_mean_hook_sends_four_bytes_per_entry_plus_one_mean_per_layer(runs):
    numels = [p.numel() for p in mlp(SIZES_DDP).parameters()]
    big = [n for n in numels if n >= 500]
    small = 4 * sum(n for n in numels if n < 500)
    r = runs["signmean"]
    for sent, wire, nnz in zip(r["bytes_sent"][2:], r["bytes_wire"][2:], r["nnz"][2:], strict=True):
        assert sent == small + 4 * nnz + 4 * len(big)
        assert nnz <= sum(num_selected(n, 0.01) for n in big)  # one sign group of each layer's top-k
        assert wire >= sent + 4 * len(big) + 8  # counts and the size exchange on top
    assert r["losses"][-1] < r["losses"][0]


def test_lm_job_trains_and_reports_perplexity(runs):
    r = runs["lm_rgc"]
    assert r["ppl_steps"] == [3, 6] and all(math.isfinite(v) and v > 1 for v in r["ppl"])


@pytest.mark.parametrize(
    ("name", "selector"), [("ref_exact", ExactTopK()), ("ref_bs", ThresholdBinarySearch())]
)
def test_two_process_hook_equals_single_process_reference(runs, name, selector):
    x, y = torch.as_tensor(DATA64[0]), torch.as_tensor(DATA64[1])
    batches = [[(x[i], y[i]) for i in shard_batches(N_ROWS, 2, r, BATCH, 0, 3)] for r in range(2)]
    ref = simulate_rgc(
        lambda: mlp(SIZES_REF).double(), batches, RGCConfig(**REF_CFG, selector=selector), lr=0.1, seed=3
    )
    got = runs[name]
    for n, w in ref["params"].items():
        assert torch.max(torch.abs(got["params"][n] - w)) <= 1e-12, n
    assert got["bytes_sent"] == ref["bytes_sent"]
    np.testing.assert_allclose(got["losses"], ref["losses"], rtol=1e-12)
    # the comparison is sharp: one layer dense, two compressed, 18 compressed steps
    numels = [p.numel() for p in mlp(SIZES_REF).parameters()]
    assert sum(n >= 500 for n in numels) == 2 and sum(n < 500 for n in numels) == 4


def test_config_validation():
    for bad in (0.0, -1.0, 1.01, float("nan"), float("inf"), "0.1"):
        with pytest.raises(ValueError, match="density"):
            RGCConfig(density=bad)
    with pytest.raises(ValueError, match="min_numel"):
        RGCConfig(min_numel=-1)
    with pytest.raises(ValueError, match="start_iter"):
        RGCConfig(start_iter=1)
    with pytest.raises(ValueError, match="momentum"):
        RGCConfig(momentum=1.0)
    with pytest.raises(ValueError, match="memory"):
        RGCConfig(memory="powersgd")


def test_make_optimizer_pairs_with_the_memory():
    params = list(nn.Linear(3, 2).parameters())
    opt = make_optimizer(params, RGCConfig(memory="momentum"), lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[0]["weight_decay"] == 0
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer(params, RGCConfig(memory="momentum"), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="weight_decay"):
        make_optimizer(params, RGCConfig(memory="momentum"), lr=0.1, weight_decay=1e-4)
    opt = make_optimizer(params, RGCConfig(memory="residual", momentum=0.8), lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0.8


def test_sparse_gradients_and_non_ddp_models_are_refused():
    with pytest.raises(TypeError, match="sparse=True"):
        check_dense_gradients(nn.Sequential(nn.Embedding(10, 3, sparse=True)))
    check_dense_gradients(nn.Sequential(nn.Embedding(10, 3)))
    with pytest.raises(TypeError, match="ddp_model"):
        register(nn.Linear(2, 2), RGCConfig())
