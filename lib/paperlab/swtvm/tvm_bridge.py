"""Optional cross-check with Apache TVM 0.27 (the ``[tvm]`` extra, ``apache-tvm==0.27.0.post1``).

The API sequence follows the brief (checked there by running it): ``te.create_prim_func`` ->
``tvm.s_tir.Schedule`` -> ``work_on`` -> ``get_sblock`` -> ``split``/``reorder`` -> ``tvm.build(target="c")``
-> ``export_library`` (gcc) -> ``tvm.runtime.load_module``. Everything here needs TVM; :func:`available`
says whether it is importable.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from paperlab.core import paths

__all__ = ["available", "tiled_matmul_tvm"]

_MISSING = (
    "apache-tvm is not installed; install the optional extra: pip install -e '.[tvm]' "
    "(apache-tvm==0.27.0.post1)"
)


def available() -> bool:
    """Whether ``import tvm`` can work (the package is installed)."""
    return importlib.util.find_spec("tvm") is not None


def tiled_matmul_tvm(M: int, N: int, K: int, tiles: tuple[int, int, int] = (32, 32, 16)):
    """``(run, c_source)``: a TVM-built tiled matmul ``run(a, b) -> c`` and its generated C source.

    Raises:
        ImportError: TVM is not installed (the message names the ``[tvm]`` extra).
    """
    try:
        import tvm
        from tvm import te
    except ImportError as e:
        raise ImportError(_MISSING) from e
    A, B = te.placeholder((M, K), name="A"), te.placeholder((K, N), name="B")
    k = te.reduce_axis((0, K), name="k")
    C = te.compute((M, N), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    func = te.create_prim_func([A, B, C]).with_attr("global_symbol", "mm")
    sch = tvm.s_tir.Schedule(tvm.IRModule({"mm": func}))
    sch.work_on("mm")
    blk = sch.get_sblock("C")
    i, j, kk = sch.get_loops(blk)
    io, ii = sch.split(i, factors=[None, tiles[0]])
    jo, ji = sch.split(j, factors=[None, tiles[1]])
    ko, ki = sch.split(kk, factors=[None, tiles[2]])
    sch.reorder(io, jo, ko, ii, ki, ji)
    lib = tvm.build(sch.mod, target="c")
    src = lib.inspect_source()
    out = paths.build_dir() / "compiler"
    out.mkdir(parents=True, exist_ok=True)
    so = out / f"tvm_mm_{M}_{N}_{K}_{'_'.join(map(str, tiles))}.so"
    lib.export_library(str(so))
    mod = tvm.runtime.load_module(str(so))

    def run(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        dev = tvm.cpu()
        c = tvm.runtime.tensor(np.zeros((M, N), np.float32), dev)
        mod["mm"](tvm.runtime.tensor(a, dev), tvm.runtime.tensor(b, dev), c)
        return c.numpy()

    return run, src
