"""Compile x86 kernels with gcc (one translation unit per batch) and call them through ctypes.

The shared object is cached under ``build/compiler/<sha256(source + flags + gcc version)>.so``, so a
second build of the same kernels costs nothing. :func:`build` returns one callable per kernel:
``out, stats = kernels[name](*inputs)`` with :class:`RuntimeStats` read from the runtime's counters.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperlab.compiler.codegen_c import RUNTIME, emit_x86
from paperlab.compiler.emulate import check_args
from paperlab.compiler.ir import PrimFunc
from paperlab.core import paths

__all__ = ["RuntimeStats", "build", "compiler_available", "compile_source"]


@dataclass(frozen=True)
class RuntimeStats:
    """Counters of one run of a compiled kernel (arrays over the 64 CPEs)."""

    ldm_peak: np.ndarray
    get_bytes: np.ndarray
    put_bytes: np.ndarray
    n_desc: np.ndarray


def compiler_available(cc: str = "gcc") -> bool:
    """Whether the C compiler ``cc`` is on the PATH."""
    return shutil.which(cc) is not None


def _version(cc: str) -> str:
    return subprocess.run([cc, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[
        0
    ]


def compile_source(source: str, cc: str = "gcc", opt: str = "-O2", shared: bool = True) -> Path:
    """Compile ``source`` once into ``build/compiler/<hash>.so`` (or an executable) and return the path."""
    if not compiler_available(cc):
        raise RuntimeError(f"C compiler {cc!r} not found on the PATH")
    flags = [*opt.split(), "-std=c99", "-fPIC"] + (["-shared"] if shared else [])
    key = hashlib.sha256("\0".join([source, *flags, _version(cc)]).encode()).hexdigest()[:24]
    out_dir = paths.build_dir() / "compiler"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (f"{key}.so" if shared else f"{key}.bin")
    if not target.exists():  # unique temporary names: parallel test workers may build the same source
        src = out_dir / f"{key}.{os.getpid()}.c"
        src.write_text(source)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        res = subprocess.run([cc, *flags, str(src), "-o", str(tmp), "-lm"], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{cc} failed on {src}:\n{res.stderr[-2000:]}")
        tmp.replace(target)
    return target


def build(funcs: list[PrimFunc], cc: str = "gcc", opt: str = "-O2") -> dict:
    """Compile ``funcs`` in one translation unit; returns ``{name: callable}``.

    Each callable takes the input arrays (float32, C-contiguous, the declared shapes: anything else raises
    ``TypeError``/``ValueError`` naming the argument) and returns ``(output, RuntimeStats)``.
    """
    funcs = list(funcs)
    if not funcs or not all(isinstance(f, PrimFunc) for f in funcs):
        raise TypeError("funcs must be a non-empty list of PrimFunc")
    names = [f.name for f in funcs]
    if len(set(names)) != len(names):
        raise ValueError(f"funcs must have distinct names, got {names}")
    ldm = {f.info.spec.ldm_usable for f in funcs}
    if len(ldm) != 1:
        raise ValueError("funcs must share one chip spec (LDM size)")
    source = (
        RUNTIME.replace("{ldm}", str(ldm.pop())) + "\n" + "\n".join(emit_x86(f, runtime=False) for f in funcs)
    )
    lib = ctypes.CDLL(str(compile_source(source, cc, opt)))
    lib.paperlab_stats.restype = ctypes.c_int
    out = {}
    for f in funcs:
        fn = getattr(lib, f"run_{f.name}")
        fn.restype = None
        out[f.name] = _wrap(f, fn, lib)
    return out


def _wrap(func: PrimFunc, fn, lib):
    ptr = ctypes.POINTER(ctypes.c_float)

    def call(*arrays: np.ndarray):
        check_args(func, arrays)
        result = np.zeros(func.params[-1].shape, np.float32)
        lib.paperlab_reset()
        fn(*[a.ctypes.data_as(ptr) for a in [*arrays, result]])
        buf = np.zeros(4 * 64, np.int64)
        overflow = lib.paperlab_stats(buf.ctypes.data_as(ctypes.POINTER(ctypes.c_long)))
        if overflow:
            raise RuntimeError(f"kernel {func.name}: LDM overflow at run time")
        return result, RuntimeStats(*buf.reshape(4, 64))

    call.__name__ = f"run_{func.name}"
    return call
