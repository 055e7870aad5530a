import numpy as np
import pytest

from paperlab.compiler import build
from paperlab.swtvm import bench

pytestmark = pytest.mark.skipif(not build.compiler_available("gcc"), reason="gcc not on the PATH")


def test_flags_and_interleaved_result():
    flags = bench.choose_flags()
    assert flags.startswith("-O3")
    res = bench.matmul_benchmark(n=256, repeats=7, opt="-O2")
    assert res["flags"] == "-O2" and res["repeats"] == 7
    names = ["numpy"] + [c[0] for c in bench.CANDIDATES]
    assert sorted(res["times_s"]) == sorted(names)
    assert all(len(v) == 7 for v in res["times_s"].values())
    assert all(e < 1e-5 for e in res["rel_err"].values())
    # the per-contender GFLOP/s medians are 2 n^3 / median time
    for name, ts in res["times_s"].items():
        assert res["gflops"][name]["center"] == pytest.approx(float(np.median(2 * 256**3 / np.array(ts) / 1e9)))
    best = res["best"]
    ratio = np.median(np.array(res["times_s"]["numpy"]) / np.array(res["times_s"][best]))
    assert res["fraction_of_numpy"]["center"] == pytest.approx(ratio)
    assert res["fraction_of_numpy"]["n"] == 7
    rows = bench.table(res)
    assert rows[0]["contender"] == "numpy" and rows[0]["% of numpy"] == pytest.approx(100)


def test_bad_repeats():
    with pytest.raises(ValueError, match="repeats"):
        bench.matmul_benchmark(n=64, repeats=3)
