import numpy as np
import pytest
import torch

from paperlab.core import exercises


def reference_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_check_passes_on_reference_and_fails_on_wrong(capsys, monkeypatch):
    monkeypatch.delenv("PAPERLAB_STRICT_EXERCISES", raising=False)
    assert exercises.check("core.softmax", reference_softmax)
    assert "[ok]" in capsys.readouterr().out
    assert not exercises.check("core.softmax", lambda x: x)
    assert "hint" in capsys.readouterr().out


def test_stub_is_reported_as_not_attempted(capsys, monkeypatch):
    monkeypatch.delenv("PAPERLAB_STRICT_EXERCISES", raising=False)

    def stub(x):
        raise NotImplementedError()

    assert not exercises.check("core.softmax", stub)
    assert "not attempted" in capsys.readouterr().out


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("PAPERLAB_STRICT_EXERCISES", "1")
    with pytest.raises(AssertionError, match="core.softmax"):
        exercises.check("core.softmax", lambda x: x, quiet=True)


def test_unknown_and_bad_arguments():
    with pytest.raises(KeyError, match="no exercise"):
        exercises.check("core.nothing", print)
    with pytest.raises(TypeError, match="fn"):
        exercises.check("core.softmax", 3)
    with pytest.raises(ValueError, match="<paper>"):
        exercises.register("noprefix", print, lambda rng: [], "")


def test_same_handles_tensors_arrays_and_containers():
    t = torch.tensor([1.0, 2.0])
    assert exercises.same({"a": (t, 1.0)}, {"a": (t.numpy(), 1.0 + 1e-9)}, 1e-5, 1e-6)
    assert not exercises.same([t], [t * 2], 1e-5, 1e-6)
    assert not exercises.same(np.zeros(3), np.zeros(4), 1e-5, 1e-6)
    assert exercises.same("abc", "abc", 0, 0) and not exercises.same("abc", "abd", 0, 0)


def test_hidden_check_passes_an_independent_solution_and_fails_the_others():
    import numpy as np

    from paperlab.core.exercises import get, hidden_check

    cases = [((np.array([[0.0, 0.0]]),), {}, np.array([[0.5, 0.5]])),
             ((np.array([[1000.0, 1000.0, 1000.0]]),), {}, np.full((1, 3), 1 / 3))]

    def mine(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def cheat(x):
        return get("core.softmax").reference(x)

    def stub(x):
        raise NotImplementedError()

    def hard_coded(x):
        return np.array([[0.5, 0.5]])

    hidden_check("core.softmax", mine, cases)
    import functools

    from paperlab.core.exercises import _softmax_reference

    for bad in (cheat, _softmax_reference, functools.partial(_softmax_reference)):  # also the reference itself
        with pytest.raises(AssertionError, match="calls the library"):
            hidden_check("core.softmax", bad, cases)
    with pytest.raises(AssertionError, match="no solution"):
        hidden_check("core.softmax", stub, cases)
    with pytest.raises(AssertionError, match="hidden case 2"):
        hidden_check("core.softmax", hard_coded, cases)
    with pytest.raises(ValueError, match="cases"):
        hidden_check("core.softmax", mine, [])
    with pytest.raises(TypeError, match="fn must be callable"):
        hidden_check("core.softmax", 3, cases)


def test_hidden_check_allows_named_library_functions_and_what_they_call():
    from paperlab.core.exercises import hidden_check
    from paperlab.sunway.dma import bw_cg

    bw = bw_cg(8192.0)

    def floor(i, o, batch=1, block_bytes=8192.0):
        return 4.0 * i * o / bw_cg(block_bytes)

    cases = [((100, 10), {}, 4000 / bw)]
    hidden_check("swtvm.fc_dma_floor", floor, cases, allow=("paperlab.sunway.dma.bw_cg",))
    with pytest.raises(AssertionError, match="paperlab.sunway.dma.bw_cg"):
        hidden_check("swtvm.fc_dma_floor", floor, cases)
