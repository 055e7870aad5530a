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

__all__ = ["available", "conv2d_tvm", "cross_check", "tiled_matmul_tvm"]

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
    return _build(tvm, sch, "mm", f"tvm_mm_{M}_{N}_{K}_{'_'.join(map(str, tiles))}", (M, N))


def _build(tvm, sch, name: str, stem: str, out_shape: tuple[int, ...]):
    """Build ``sch`` to C, compile it with gcc (``export_library``) and wrap it as ``run(*inputs) -> out``."""
    lib = tvm.build(sch.mod, target="c")
    src = lib.inspect_source()
    out = paths.build_dir() / "compiler"
    out.mkdir(parents=True, exist_ok=True)
    so = out / f"{stem}.so"
    lib.export_library(str(so))
    mod = tvm.runtime.load_module(str(so))

    def run(*inputs: np.ndarray) -> np.ndarray:
        dev = tvm.cpu()
        c = tvm.runtime.tensor(np.zeros(out_shape, np.float32), dev)
        mod[name](*[tvm.runtime.tensor(np.ascontiguousarray(x), dev) for x in inputs], c)
        return c.numpy()

    return run, src


def conv2d_tvm(C: int, H: int, W: int, F: int, K: int, f_tile: int = 8):
    """``(run, c_source)``: a TVM-built valid (unpadded, stride 1) convolution ``run(x, w) -> y``.

    ``x`` is ``(C, H, W)``, ``w`` is ``(F, C, K, K)``, ``y`` is ``(F, H-K+1, W-K+1)``; the output channels are
    split by ``f_tile`` and the reduction over input channels is moved outside the output rows (the brief's
    conv schedule, without its silently serialised ``parallel``).
    """
    try:
        import tvm
        from tvm import te
    except ImportError as e:
        raise ImportError(_MISSING) from e
    OH, OW = H - K + 1, W - K + 1
    X, Wt = te.placeholder((C, H, W), name="X"), te.placeholder((F, C, K, K), name="Wt")
    rc, rh, rw = te.reduce_axis((0, C), "rc"), te.reduce_axis((0, K), "rh"), te.reduce_axis((0, K), "rw")
    Y = te.compute(
        (F, OH, OW),
        lambda f, y, x: te.sum(X[rc, y + rh, x + rw] * Wt[f, rc, rh, rw], axis=[rc, rh, rw]),
        name="Y",
    )
    func = te.create_prim_func([X, Wt, Y]).with_attr("global_symbol", "conv")
    sch = tvm.s_tir.Schedule(tvm.IRModule({"conv": func}))
    sch.work_on("conv")
    blk = sch.get_sblock("Y")
    f, y, x, c, kh, kw = sch.get_loops(blk)
    fo, fi = sch.split(f, factors=[None, f_tile])
    sch.reorder(fo, c, fi, y, kh, kw, x)
    return _build(tvm, sch, "conv", f"tvm_conv_{C}_{H}_{W}_{F}_{K}_{f_tile}", (F, OH, OW))


def cross_check(
    rng: np.random.Generator, n: int = 128, conv: tuple[int, int, int, int, int] = (16, 30, 30, 32, 3)
):
    """T6: a tiled matmul and one conv, each built by TVM and by ``paperlab.compiler`` (gcc), against numpy.

    Returns ``{op: {"tvm_vs_numpy", "ours_vs_numpy", "tvm_vs_ours"}}`` (max abs error / max |numpy|) and the two
    generated C sources per op under ``"sources"``.
    """
    from paperlab.compiler import build, ops
    from paperlab.swtvm import schedules as S

    out: dict = {"sources": {}}

    def rel(a, b):
        return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))

    mm = ops.matmul(n, n, n)
    a, b = (rng.random((n, n), dtype=np.float32) for _ in range(2))
    run_tvm, src_tvm = tiled_matmul_tvm(n, n, n, (32, 32, 16))
    f = S.lower_point(mm, {"i": 32, "j": 32, "k": 16, "vec": "j"}, double_buffer=True)
    ours = build.build([f], opt="-O2")[mm.name](a, b)[0]
    ref, theirs = a @ b, run_tvm(a, b)
    out["matmul"] = {
        "tvm_vs_numpy": rel(theirs, ref),
        "ours_vs_numpy": rel(ours, ref),
        "tvm_vs_ours": rel(theirs, ours),
    }
    out["sources"]["matmul"] = (src_tvm, f)
    C, H, W, F, K = conv
    cv = ops.conv2d(C, H, W, F, K)
    x = rng.random((C, H, W), dtype=np.float32)
    w = rng.random((F, C, K, K), dtype=np.float32)
    run_tvm, src_tvm = conv2d_tvm(C, H, W, F, K)
    oh = H - K + 1
    tiles = {
        "f": 8 if F % 8 == 0 else F,
        "y": max(d for d in (4, 2, 1) if oh % d == 0),
        "x": W - K + 1,
        "c": 8 if C % 8 == 0 else C,
    }
    g = S.lower_point(cv, tiles, double_buffer=True)
    ours = build.build([g], opt="-O2")[cv.name](x, w)[0]
    ref, theirs = cv.reference(x, w), run_tvm(x, w)
    out["conv2d"] = {
        "tvm_vs_numpy": rel(theirs, ref),
        "ours_vs_numpy": rel(ours, ref),
        "tvm_vs_ours": rel(theirs, ours),
    }
    out["sources"]["conv2d"] = (src_tvm, g)
    return out
