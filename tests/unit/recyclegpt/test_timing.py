"""Structure of the timing experiments (never the seconds themselves: pitfall 9)."""

import pytest

from paperlab.core.estimates import Estimate
from paperlab.recyclegpt import costmodel, timing

from .conftest import make_model


def test_timing_rounds_rotate_and_drop_warmup():
    calls = []

    def timer(name, value):
        def f():
            calls.append(name)
            return value
        return f

    out = costmodel.timing_rounds({"a": timer("a", 1.0), "b": timer("b", 2.0), "c": timer("c", 3.0)},
                                  repeats=3, warmup=1)
    assert out == {"a": [1.0] * 3, "b": [2.0] * 3, "c": [3.0] * 3}
    assert calls == list("abc") + list("bca") + list("cab") + list("abc")


@pytest.mark.parametrize("bad, exc", [({"a": 1}, TypeError), ({}, TypeError)])
def test_timing_rounds_bad_timers(bad, exc):
    with pytest.raises(exc, match="timers"):
        costmodel.timing_rounds(bad, repeats=2)


def test_timing_rounds_bad_repeats():
    with pytest.raises(ValueError, match="repeats"):
        costmodel.timing_rounds({"a": lambda: 1.0}, repeats=0)


def test_speedup_and_costmodel_structure():
    model = make_model(max_len=64)
    out = timing.speedup_and_costmodel(model, n_new=6, repeats=3, probe_calls=2, context=8)
    r = out["rounds"]
    assert set(r) == {"standard", "alternating", "F1", "F2", "R2"}
    assert all(len(v) == 3 and all(t > 0 for t in v) for v in r.values())
    for key in ("speedup", "kappa2", "rho", "predicted", "ratio"):
        assert isinstance(out[key], Estimate) and out[key].n == 3
    s = [a / b for a, b in zip(r["standard"], r["alternating"], strict=True)]
    kappa = [a / b for a, b in zip(r["F2"], r["F1"], strict=True)]
    rho = [a / b for a, b in zip(r["R2"], r["F1"], strict=True)]
    pred = [2 / (k + p) for k, p in zip(kappa, rho, strict=True)]
    assert list(out["speedup"].values) == pytest.approx(s)
    assert list(out["ratio"].values) == pytest.approx([a / b for a, b in zip(s, pred, strict=True)])


def test_depth_and_cycle_and_batch_sweep_structure():
    base = make_model(max_len=64)
    deep = make_model(rec_layers=2, max_len=64)
    out = timing.depth_and_cycle({1: base, 2: deep}, base, n_new=5, repeats=2)
    assert set(out["rounds"]) == {"standard", "L1", "L2", "m2", "m3"}
    r = out["rounds"]
    assert list(out["deeper_slower"].values) == pytest.approx([a / b for a, b in zip(r["L2"], r["L1"], strict=True)])
    assert list(out["m3_faster"].values) == pytest.approx([a / b for a, b in zip(r["m2"], r["m3"], strict=True)])
    sweep = timing.batch_sweep(base, (1, 3), n_new=4, repeats=2)
    assert set(sweep["speedup"]) == {1, 3} and sweep["shrinks"].n == 2
    with pytest.raises(ValueError, match="batch_sizes"):
        timing.batch_sweep(base, (1,), n_new=4, repeats=2)
    with pytest.raises(ValueError, match="models_by_depth"):
        timing.depth_and_cycle({1: base}, base, n_new=4, repeats=2)


def test_measure_speedup_keeps_every_round():
    out = costmodel.measure_speedup(make_model(max_len=64), n_new=4, n_rep=3)
    assert len(out["standard"]) == len(out["alternating"]) == 3
    assert out["speedup_min"] == pytest.approx(min(out["standard"]) / min(out["alternating"]))
