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
