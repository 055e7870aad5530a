"""x86 benchmark of the compiler's C: single-thread 512^3 fp32 matmul GFLOP/s against numpy in the same run.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m paperlab.swtvm.bench     # writes benchmark-x86-lab.json

Method: every candidate kernel is compiled with explicit flags (``-O3 -march=native`` where gcc accepts them,
else ``-O3``; recorded in the result); numpy (its BLAS held to one thread with threadpoolctl, the kernel in use
recorded) and the candidates are timed **interleaved** (:func:`paperlab.core.estimates.time_interleaved`,
>= 7 rounds, the order rotating every round), and every repeat is stored. The x86 target reuses the Sunway
lowering: the 64 CPE ids run one after another on one core, each with an "LDM" scratch (the real 60 KB, or
1 MB for the larger tiles). The wall-clock numbers say nothing about Sunway. Target of the issue: the best
schedule at >= 50 % of numpy's single-thread GFLOP/s at 512^3 (a benchmark, not a CI assertion).
"""

from __future__ import annotations

import json
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from paperlab.compiler import build, ops
from paperlab.core import provenance
from paperlab.core.estimates import repeats_interval, speedup, time_interleaved
from paperlab.sunway.arch import SW26010
from paperlab.swtvm import schedules as S

__all__ = ["CANDIDATES", "choose_flags", "matmul_benchmark"]

#: (label, tiles, LDM bytes per emulated CPE): the real 64 KB LDM first, then larger scratch sizes.
CANDIDATES = (
    ("32x64x32 in 64 KB LDM", {"i": 32, "j": 64, "k": 32}, 64 * 1024),
    ("64x64x64 in 1 MB", {"i": 64, "j": 64, "k": 64}, 1 << 20),
    ("32x128x128 in 1 MB", {"i": 32, "j": 128, "k": 128}, 1 << 20),
    ("32x64x256 in 1 MB", {"i": 32, "j": 64, "k": 256}, 1 << 20),
)


def choose_flags(cc: str = "gcc") -> str:
    """``-O3 -march=native`` if ``cc`` compiles a trivial file with it, else ``-O3``."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "t.c"
        src.write_text("int main(void) { return 0; }\n")
        res = subprocess.run(
            [cc, "-O3", "-march=native", str(src), "-o", str(Path(d) / "t")], capture_output=True
        )
    return "-O3 -march=native" if res.returncode == 0 else "-O3"


def matmul_benchmark(n: int = 512, repeats: int = 9, opt: str | None = None, seed: int = 0) -> dict:
    """Interleaved GFLOP/s of numpy (one BLAS thread) and of the compiler's C for :data:`CANDIDATES`.

    Returns the flags, the BLAS libraries in use, every repeat (seconds) per contender, the median GFLOP/s with
    its 90 % interval per contender, and the best candidate's per-round ratio to numpy (an Estimate).
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    if repeats < 7:
        raise ValueError(f"repeats must be >= 7 (interleaved timing rule), got {repeats}")
    opt = opt or choose_flags()
    op = ops.matmul(n, n, n)
    a, b = op.random_inputs(np.random.default_rng(seed))
    flops = 2.0 * n**3
    ref = a @ b
    kernels, errors = {}, {}
    for label, tiles, ldm in CANDIDATES:
        spec = SW26010().replace(ldm_bytes=ldm)
        f = S.lower_point(op, {**tiles, "vec": "j"}, double_buffer=False, spec=spec, reduce_inner="middle")
        k = build.build([f], opt=opt)[op.name]
        c, _ = k(a, b)
        errors[label] = float(np.max(np.abs(c - ref)) / np.max(np.abs(ref)))
        kernels[label] = lambda k=k: k(a, b)
    with threadpool_limits(limits=1):  # numpy's BLAS on one thread, whatever the environment says
        blas = [
            {k: lib.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
            for lib in threadpool_info()
            if lib.get("user_api") == "blas"
        ]
        times = time_interleaved({"numpy": lambda: a @ b, **kernels}, repeats=repeats, warmup=1)
    gflops = {name: repeats_interval([flops / t / 1e9 for t in ts]) for name, ts in times.items()}
    best = max(kernels, key=lambda name: gflops[name].center)
    ratio = speedup(times["numpy"], times[best])  # numpy time / kernel time = kernel GFLOP/s / numpy GFLOP/s
    return {
        "n": n,
        "flags": opt,
        "compiler_version": subprocess.run(
            ["gcc", "--version"], capture_output=True, text=True
        ).stdout.splitlines()[0],
        "blas_in_use": blas,
        "numpy_threads": 1,
        "repeats": repeats,
        "times_s": {name: [float(t) for t in ts] for name, ts in times.items()},
        "gflops": {name: e.as_dict() for name, e in gflops.items()},
        "rel_err": errors,
        "best": best,
        "fraction_of_numpy": ratio.as_dict(),
        "target_fraction": 0.5,
        "machine": platform.processor() or platform.machine(),
    }


def table(res: dict) -> list[dict]:
    """Rows ``{contender, GFLOP/s median, low, high, % of numpy}`` of a :func:`matmul_benchmark` result."""
    num = res["gflops"]["numpy"]["center"]
    return [
        {
            "contender": name,
            "GFLOP/s": g["center"],
            "low": g["low"],
            "high": g["high"],
            "% of numpy": 100 * g["center"] / num,
        }
        for name, g in res["gflops"].items()
    ]


if __name__ == "__main__":
    res = matmul_benchmark()
    path = provenance.save_result("swtvm", "benchmark-x86", "lab", res)
    print("wrote", path)
    print(
        json.dumps(
            {
                "flags": res["flags"],
                "best": res["best"],
                "fraction_of_numpy": res["fraction_of_numpy"]["center"],
            }
        )
    )
    for row in table(res):
        print(row)
