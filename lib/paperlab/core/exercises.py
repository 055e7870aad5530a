"""Autograded exercises: compare a learner's function with the library reference on seeded inputs.

A series registers exercises in ``paperlab/<paper>/exercises.py``::

    register("namsg.update", reference=namsg_step_reference, cases=make_cases, hint="...")

and a notebook's check cell calls ``check("namsg.update", my_update)``. ``check`` prints a clear
pass/fail line with a hint and returns ``True``/``False``. With ``PAPERLAB_STRICT_EXERCISES=1``
(set by ``make test`` for the full notebooks) a failure raises ``AssertionError``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Case = tuple[tuple, dict]


@dataclass(frozen=True)
class Exercise:
    name: str
    reference: Callable[..., Any]
    cases: Callable[[np.random.Generator], list[Case]]
    hint: str
    rtol: float = 1e-5
    atol: float = 1e-6


_REGISTRY: dict[str, Exercise] = {}


def register(
    name: str,
    reference: Callable[..., Any],
    cases: Callable[[np.random.Generator], list[Case]],
    hint: str,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> Exercise:
    """Register an exercise ``<paper>.<name>``; ``cases(rng)`` returns ``[(args, kwargs), ...]``."""
    if "." not in name:
        raise ValueError(f"exercise name must look like '<paper>.<name>', got {name!r}")
    ex = Exercise(name, reference, cases, hint, rtol, atol)
    _REGISTRY[name] = ex
    return ex


def get(name: str) -> Exercise:
    if name not in _REGISTRY:
        paper = name.split(".", 1)[0]
        try:
            importlib.import_module(f"paperlab.{paper}.exercises")
        except ModuleNotFoundError:
            pass
    if name not in _REGISTRY:
        raise KeyError(f"no exercise named {name!r}; known: {', '.join(sorted(_REGISTRY)) or 'none'}")
    return _REGISTRY[name]


def _to_numpy(x: Any) -> Any:
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return x.detach().cpu().numpy()
    return x


def same(a: Any, b: Any, rtol: float, atol: float) -> bool:
    """Recursive closeness for numbers, arrays, tensors, sequences and dicts."""
    a, b = _to_numpy(a), _to_numpy(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b, strict=True))
    try:
        a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return a == b
    return a_arr.shape == b_arr.shape and bool(
        np.allclose(a_arr, b_arr, rtol=rtol, atol=atol, equal_nan=True)
    )


def _clone(x: Any) -> Any:
    if hasattr(x, "clone"):
        return x.clone()
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, list | tuple):
        return type(x)(_clone(v) for v in x)
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    return x


def check(
    name: str, fn: Callable[..., Any], seed: int = 0, quiet: bool = False, strict: bool | None = None
) -> bool:
    """Run ``fn`` and the reference on the exercise's seeded cases; print and return pass/fail.

    ``strict`` (default: ``PAPERLAB_STRICT_EXERCISES=1``) turns a failure into ``AssertionError``;
    pass ``strict=False`` to demonstrate a failing answer on purpose.
    """
    ex = get(name)
    if strict is None:
        strict = os.environ.get("PAPERLAB_STRICT_EXERCISES") == "1"
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    cases = ex.cases(np.random.default_rng(seed))
    for i, (args, kwargs) in enumerate(cases):
        expected = ex.reference(*_clone(args), **_clone(kwargs))
        try:
            got = fn(*_clone(args), **_clone(kwargs))
        except NotImplementedError:
            if not quiet:
                print(f"[ ] {name}: not attempted yet (the stub raises NotImplementedError)")
            if strict:
                raise AssertionError(f"exercise {name} has no solution") from None
            return False
        except Exception as err:  # the learner's code may fail in any way; report it
            if not quiet:
                print(f"[x] {name}: case {i + 1} raised {type(err).__name__}: {err}\n    hint: {ex.hint}")
            if strict:
                raise AssertionError(f"exercise {name} failed on case {i + 1}") from err
            return False
        if not same(got, expected, ex.rtol, ex.atol):
            if not quiet:
                print(
                    f"[x] {name}: case {i + 1} of {len(cases)} differs from the reference\n    hint: {ex.hint}"
                )
            if strict:
                raise AssertionError(f"exercise {name} failed on case {i + 1}")
            return False
    if not quiet:
        print(f"[ok] {name}: passed all {len(cases)} cases")
    return True


def _softmax_reference(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


register(
    "core.softmax",
    reference=_softmax_reference,
    cases=lambda rng: [((rng.normal(size=(3, 5)) * s,), {}) for s in (1.0, 50.0, 500.0)],
    hint="subtract the row maximum before exponentiating, then divide by the row sum",
)


HiddenCase = tuple[tuple, dict, Any]


def _calls_into_library(fn: Callable[..., Any], args: tuple, kwargs: dict, allow: set[str]) -> tuple[Any, list[str]]:
    """Call ``fn`` and list the paperlab functions it entered directly (other than those in ``allow``).

    An entry is a Python frame in the paperlab package whose caller is outside it; nothing is listed
    while an allowed function runs.
    """
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    entered: list[str] = []
    inside_allowed: set[int] = set()  # ids of the frames of allowed functions still running

    def in_lib(code: Any) -> bool:
        return code.co_filename.startswith(root)

    here = sys._getframe()  # fn is called from this frame: fn itself being library code counts too

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "return":
            inside_allowed.discard(id(frame))
            return
        if event != "call" or inside_allowed or not in_lib(frame.f_code):
            return
        qualname = f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_qualname}"
        if qualname in allow:
            inside_allowed.add(id(frame))
        elif frame.f_back is None or frame.f_back is here or not in_lib(frame.f_back.f_code):
            entered.append(qualname)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        got = fn(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return got, entered


def hidden_check(
    name: str,
    fn: Callable[..., Any],
    cases: list[HiddenCase],
    allow: tuple[str, ...] = (),
) -> None:
    """Hidden test of an exercise: ``fn`` on independent cases, without calling the library.

    Args:
        name: the exercise (its tolerances are used).
        fn: the learner's function.
        cases: ``[(args, kwargs, expected), ...]`` whose expected values were computed by hand or by
            a route other than the library reference (written out in the hidden-test cell).
        allow: qualified names (``module.function``) of paperlab functions the exercise may call,
            e.g. ``("paperlab.sunway.dma.bw_cg",)``.

    Raises:
        AssertionError: ``fn`` is a stub, raises, differs from an expected value, or enters the
            paperlab library (the reference or anything else in it) other than through ``allow``.
    """
    ex = get(name)
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not cases:
        raise ValueError("cases must hold at least one (args, kwargs, expected) triple")
    for i, (args, kwargs, expected) in enumerate(cases):
        try:
            got, entered = _calls_into_library(fn, _clone(args), _clone(kwargs), set(allow))
        except NotImplementedError:
            raise AssertionError(f"exercise {name} has no solution") from None
        if entered:
            raise AssertionError(
                f"exercise {name}: hidden case {i + 1} calls the library ({', '.join(sorted(set(entered)))}); "
                "write the computation yourself"
            )
        if not same(got, expected, ex.rtol, ex.atol):
            raise AssertionError(f"exercise {name}: hidden case {i + 1} of {len(cases)} gives a wrong value")
    print(f"[ok] {name}: passed {len(cases)} hidden cases")
