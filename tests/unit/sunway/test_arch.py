import dataclasses

import pytest

from paperlab.sunway.arch import SW26010, TAGS, TaihuLightNet, provenance_rows


def test_peaks_from_first_principles():
    s = SW26010()
    assert s.cpe_peak == pytest.approx(4 * 2 * 1.45e9)
    assert s.cg_peak == pytest.approx(64 * 11.6e9)
    assert s.chip_peak == pytest.approx(3062.4e9)
    assert s.mpe_gflops == pytest.approx((3062.4 - 4 * 742.4) / 4)
    assert s.ldm_usable == 60 * 1024
    assert s.ridge() == pytest.approx(742.4 / 20.85, abs=1e-9)
    assert abs(s.ridge() - 35.35) < 0.5  # S3's band around the brief's 742.4 / 21


def test_dma_forms_agree():
    s = SW26010()
    assert s.dma_half_block == pytest.approx(s.dma_t_block * s.dma_bw_cg / 64)
    assert 410 < s.dma_half_block < 430
    # one contiguous DMA per descriptor pays t0 + t_block: the brief's 2.17 us start-up of the contiguous fit
    assert s.dma_t0 + s.dma_t_block == pytest.approx(2.1e-6, rel=0.03)


@pytest.mark.parametrize("obj", [SW26010(), TaihuLightNet()])
def test_every_field_has_provenance(obj):
    names = {f.name for f in dataclasses.fields(obj)}
    assert set(obj.provenance) == names
    for name, p in obj.provenance.items():
        assert p.tag in TAGS, name
        assert p.source
        assert p.valid_range[0] <= p.valid_range[1]
    assert len(provenance_rows(obj)) == len(names)


def test_replace_makes_variants():
    big = SW26010().replace(ldm_bytes=256 * 1024)
    assert big.ldm_usable == 252 * 1024 and SW26010().ldm_bytes == 64 * 1024
    with pytest.raises(dataclasses.FrozenInstanceError):
        big.ldm_bytes = 1


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"ldm_bytes": -1}, "ldm_bytes"),
        ({"dma_t0": 0}, "dma_t0"),
        ({"ldm_reserved": 70000}, "ldm_reserved"),
        ({"eta_kernel": 1.5}, "eta_kernel"),
        ({"mesh": (8, 0)}, "mesh"),
    ],
)
def test_bad_chip(kw, match):
    with pytest.raises(ValueError, match=match):
        SW26010(**kw)


def test_bad_net():
    with pytest.raises(ValueError, match="oversub"):
        TaihuLightNet(oversub=0.5)
    with pytest.raises(ValueError, match="beta"):
        TaihuLightNet(beta=-1.0)
    assert TaihuLightNet(alpha=0.0, beta=float("inf")).beta == float("inf")
