"""x86 benchmark of the compiler's C (issue benchmark): single-thread 512^3 fp32 matmul GFLOP/s against
numpy/OpenBLAS and a nominal peak. Needs gcc; run it from a shell, not from a notebook::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m paperlab.swtvm.bench

The x86 target reuses the Sunway lowering with a 1 MB "LDM" scratch per emulated CPE (the 64 CPE ids run
one after another on one core); the wall-clock numbers say nothing about Sunway.
"""

from __future__ import annotations

import json
import platform
import time

import numpy as np

from paperlab.compiler import build, ops
from paperlab.core import provenance
from paperlab.sunway.arch import SW26010
from paperlab.swtvm import schedules as S

__all__ = ["matmul_benchmark"]

CANDIDATES = (
    {"i": 64, "j": 64, "k": 64},
    {"i": 32, "j": 128, "k": 128},
    {"i": 16, "j": 256, "k": 64},
    {"i": 32, "j": 64, "k": 256},
)


def _best(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def nominal_peak_gflops() -> float | None:
    """Single-core fp32 peak from /proc/cpuinfo: MHz x SIMD lanes (16 with AVX-512, 8 with AVX2) x 2 (FMA)
    x 2 FMA units (an assumption: the unit count is not in /proc/cpuinfo). None when unreadable."""
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return None
    mhz = [float(ln.split(":")[1]) for ln in text.splitlines() if ln.startswith("cpu MHz")]
    flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    lanes = 16 if " avx512f" in flags else 8 if " avx2" in flags else 4
    return mhz[0] * 1e-3 * lanes * 2 * 2 if mhz else None


def matmul_benchmark(n: int = 512, repeats: int = 5, opt: str = "-O3 -march=native", seed: int = 0) -> dict:
    """GFLOP/s of numpy (its BLAS, threads as set by the environment) and of the compiler's C for the
    :data:`CANDIDATES` tiles (order i, k, j; j vectorised); returns all numbers and the best."""
    op = ops.matmul(n, n, n)
    a, b = op.random_inputs(np.random.default_rng(seed))
    flops = 2.0 * n**3
    ref = a @ b
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # numpy's BLAS on one thread, whatever the environment says
        numpy_gflops = flops / _best(lambda: a @ b, repeats) / 1e9
    out = {"n": n, "opt": opt, "numpy_gflops": numpy_gflops, "numpy_threads": 1, "compiler": []}
    spec = SW26010().replace(ldm_bytes=1 << 20)
    for tiles in CANDIDATES:
        f = S.lower_point(op, {**tiles, "vec": "j"}, double_buffer=False, spec=spec, reduce_inner="middle")
        k = build.build([f], opt=opt)[op.name]
        c, _ = k(a, b)
        err = float(np.max(np.abs(c - ref)) / np.max(np.abs(ref)))
        out["compiler"].append(
            {"tiles": tiles, "gflops": flops / _best(lambda k=k: k(a, b), repeats) / 1e9, "rel_err": err}
        )
    best = max(out["compiler"], key=lambda r: r["gflops"])
    out["best"] = best
    out["fraction_of_numpy"] = best["gflops"] / out["numpy_gflops"]
    out["machine"] = platform.processor() or platform.machine()
    out["nominal_peak_gflops"] = nominal_peak_gflops()
    return out


if __name__ == "__main__":
    res = matmul_benchmark()
    path = provenance.save_result("swtvm", "benchmark-x86", "lab", res)
    print("wrote", path)
    print(
        json.dumps(
            {k: res[k] for k in ("numpy_gflops", "fraction_of_numpy", "nominal_peak_gflops")}
            | {"best": res["best"]},
            indent=1,
        )
    )
