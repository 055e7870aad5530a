import numpy as np
import pytest

from paperlab.sunway import dma
from paperlab.sunway.arch import SW26010

SIZES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 24576]
COPY = [0.47, 0.94, 1.33, 1.86, 2.95, 5.99, 8.78, 12.5, 15.3, 18.4, 19.1, 20.0, 20.4]
TRIAD = [0.56, 0.99, 1.66, 2.37, 4.01, 8.28, 11.7, 14.8, 18.0, 20.3, 21.3, 22.1, 22.3]


def test_calibration_table_pinned():
    c = dma.load_swcandle("contiguous", "copy")
    t = dma.load_swcandle("contiguous", "triad")
    assert c["block_bytes"].tolist() == SIZES and t["block_bytes"].tolist() == SIZES
    assert c["gbps"].tolist() == COPY and t["gbps"].tolist() == TRIAD
    s = dma.load_swcandle("strided")
    lo = dict(
        zip(s["block_bytes"][s["kernel"] == "copy_min"], s["gbps"][s["kernel"] == "copy_min"], strict=True)
    )
    hi = dict(
        zip(s["block_bytes"][s["kernel"] == "copy_max"], s["gbps"][s["kernel"] == "copy_max"], strict=True)
    )
    assert lo == {64: 2.7, 512: 11.2, 2048: 17.0, 8192: 19.3} and hi == {
        64: 2.7,
        512: 12.0,
        2048: 17.5,
        8192: 19.7,
    }
    assert dma.load_swcandle("bcast")["gbps"].tolist() == [444.0]


def test_fit_reproduces_brief():
    c = dma.load_swcandle("contiguous", "copy")
    m = c["block_bytes"] >= 128
    fit = dma.fit_dma_model(c["block_bytes"][m], c["gbps"][m])
    assert fit.t0 == pytest.approx(2.16e-6, rel=0.02)
    assert fit.bw_cpe == pytest.approx(0.327e9, rel=0.02)
    assert fit.B_cg == pytest.approx(64 * fit.bw_cpe) and fit.h == pytest.approx(fit.t0 * fit.bw_cpe)
    assert np.max(np.abs(fit.residuals)) < 0.10
    rel = dma.fit_dma_model(c["block_bytes"][m], c["gbps"][m], weights="rel")
    assert rel.t0 == pytest.approx(2.17e-6, rel=0.02) and rel.B_cg == pytest.approx(21.1e9, rel=0.02)


def test_fit_recovers_exact_parameters():
    s = np.array([128, 512, 2048, 8192.0])
    t0, bw = 3e-6, 0.25e9
    gbps = 64 * s / (t0 + s / bw) / 1e9
    fit = dma.fit_dma_model(s, gbps)
    assert fit.t0 == pytest.approx(t0, rel=1e-9) and fit.bw_cpe == pytest.approx(bw, rel=1e-9)


def test_bw_cg_matches_brief_errors():
    spec = SW26010()
    err = (dma.bw_cg(np.array(SIZES, float), spec) / 1e9 / np.array(COPY) - 1) * 100
    brief = {8: -50, 16: -50, 32: -32, 64: -6.6, 128: 8.7, 256: -7.1}
    for s, e in brief.items():
        assert err[SIZES.index(s)] == pytest.approx(e, abs=1.5 if s < 64 else 0.5), s
    assert np.all(np.abs(err[SIZES.index(512) :]) <= 2.7 + 0.5)


def test_two_forms_are_one_model():
    spec = SW26010()
    rng = np.random.default_rng(0)
    for s in rng.uniform(64, 65536, 50):
        t_per_cpe = spec.dma_t0 + s / spec.dma_bw_cpe
        assert dma.dma_time(s, spec=spec) == pytest.approx(t_per_cpe, rel=1e-12)
        assert 64 * s / t_per_cpe == pytest.approx(dma.bw_cg(s, spec), rel=1e-12)


def test_bandwidth_monotone_and_strided_uses_block():
    b = dma.bw_cg(np.logspace(0, 6, 200))
    assert np.all(np.diff(b) > 0) and b[-1] < SW26010().dma_bw_cg
    contiguous = dma.dma_time(8192, n_desc=1)
    strided = dma.dma_time(8192, block_bytes=64, n_desc=1)  # one descriptor of 128 64-byte blocks
    assert strided > 5 * contiguous
    assert dma.dma_time(8192, n_desc=128) == pytest.approx(128 * 2.17e-6 + 8192 / SW26010().dma_bw_cpe)


def test_fewer_active_cpes_share_bandwidth_and_broadcast():
    spec = SW26010()
    assert dma.dma_time(24576, n_active=1, spec=spec) == pytest.approx(spec.dma_t0 + 24576 / spec.dma_bw_cpe)
    t = dma.dma_time(24576, broadcast=True, spec=spec)
    delivered = 64 * 24576 / t / 1e9
    assert delivered == pytest.approx(444, rel=0.01)


def test_dma_blocks_of_views():
    a = np.zeros((64, 32), np.float32)
    assert dma.dma_blocks(a) == (64 * 32 * 4, 1)
    assert dma.dma_blocks(a[:8, :16]) == (64, 8)
    assert dma.dma_blocks(a[:, 3:4]) == (4, 64)
    assert dma.dma_blocks(a[2:3, :]) == (128, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: dma.bw_cg(-1), "block_bytes"),
        (lambda: dma.dma_time(0), "nbytes"),
        (lambda: dma.dma_time(-5.0), "nbytes"),
        (lambda: dma.dma_time(100, block_bytes=200), "block_bytes"),
        (lambda: dma.dma_time(100, n_desc=0), "n_desc"),
        (lambda: dma.dma_time(100, n_active=65), "n_active"),
        (lambda: dma.fit_dma_model([1, 2], [1, 2, 3]), "sizes"),
        (lambda: dma.fit_dma_model([128, 256], [1, 2], weights="x"), "weights"),
        (lambda: dma.load_swcandle("nope"), "mode"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
