import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from paperlab.data import ChecksumError
from paperlab.data import timeseries as ts

needs_data = pytest.mark.skipif(
    not os.environ.get("PAPERLAB_DATA_DIR"),
    reason="PAPERLAB_DATA_DIR is not set (the real LTSF CSVs live there)",
)


@needs_data
@pytest.mark.parametrize(
    "name,shape", [("ili", (966, 7)), ("exchange", (7588, 8)), ("etth1", (17420, 7)), ("etth2", (17420, 7))]
)
def test_real_files_load(name, shape):
    s = ts.load(name)
    assert s.values.shape == shape and s.values.dtype == np.float32 and s.columns[-1] == "OT"
    assert "real file" in s.source and not np.isnan(s.values).any()


@needs_data
def test_ili_splits_and_window_counts():
    s = ts.load("ili")
    sp = ts.split_series(s.values, "ratio", 128)
    rows = {k: b - a for k, (a, b) in sp.borders.items()}
    assert (rows["train"], rows["val"] - 128, rows["test"] - 128) == (676, 97, 193)
    ld = ts.make_loaders(sp, 128, 24, 64)
    assert (len(ld.train.dataset), len(ld.val.dataset), len(ld.test.dataset)) == (525, 74, 170)
    assert sum(len(x) for x, _ in ld.test) == 170
    official = ts.make_loaders(sp, 128, 24, 64, drop_last_test=True)
    assert sum(len(x) for x, _ in official.test) == 128


@needs_data
def test_exchange_dates_and_etth_borders():
    s = ts.load("exchange")
    assert s.dates[0] == "1990/1/1 0:00" and s.dates[-1] == "2010/10/10 0:00"
    e = ts.load("etth1")
    sp = ts.split_series(e.values, ts.default_scheme("etth1"), 512)
    assert sp.borders["train"] == (0, 8640) and sp.borders["test"] == (11520 - 512, 14400)
    ld = ts.make_loaders(sp, 512, 96, 128)
    assert (len(ld.train.dataset), len(ld.val.dataset), len(ld.test.dataset)) == (8033, 2785, 2785)


@needs_data
def test_last_test_window_ends_at_last_row():
    s = ts.load("ili")
    sp = ts.split_series(s.values, "ratio", 128)
    test = ts.WindowDataset(sp.test, 128, 24)
    x, y = test[len(test) - 1]
    np.testing.assert_allclose(y[-1].numpy(), sp.scaler.transform(s.values[-1:])[0])


def test_scaler_uses_training_rows_only():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 3)).astype(np.float32)
    a = ts.split_series(x, "ratio", 50)
    x2 = x.copy()
    x2[800:] += 100.0
    b = ts.split_series(x2, "ratio", 50)
    np.testing.assert_array_equal(a.scaler.mean, b.scaler.mean)
    np.testing.assert_array_equal(a.scaler.std, b.scaler.std)
    np.testing.assert_allclose(a.scaler.mean, x[:700].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(a.scaler.inverse_transform(a.train), x[:700], atol=1e-5)


def test_window_dataset_length_and_content():
    arr = np.arange(40, dtype=np.float32).reshape(20, 2)
    ds = ts.WindowDataset(arr, 5, 3)
    assert len(ds) == 20 - 5 - 3 + 1
    x, y = ds[2]
    np.testing.assert_array_equal(x.numpy(), arr[2:7])
    np.testing.assert_array_equal(y.numpy(), arr[7:10])
    assert len(ts.WindowDataset(arr, 5, 3, stride=4)) == 4
    with pytest.raises(ValueError, match="seq_len"):
        ts.WindowDataset(arr, 15, 6)
    with pytest.raises(ValueError, match="pred_len"):
        ts.WindowDataset(arr, 5, 0)
    with pytest.raises(ValueError, match="scheme"):
        ts.split_borders(100, "weekly", 10)
    with pytest.raises(ValueError, match="name"):
        ts.load_ltsf_csv("weather")


def test_packaged_fallbacks():
    v = ts.load_vic_elec()
    assert v.values.shape == (52608, 2) and v.columns == ("Demand", "Temperature")
    e = ts.load_epf_fr_be()
    assert e.values.shape == (16080, 6) and e.columns[0] == "FR_y" and e.columns[3] == "BE_y"


def test_fallback_when_data_dir_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERLAB_CACHE_DIR", str(tmp_path / "cache"))
    series, provenance = ts.resolve_forecasting_data(("ili",), fallback="vic_elec")
    assert series.name == "vic_elec" and "fallback" in provenance and "national_illness" in provenance


@needs_data
def test_checksum_error_names_file_and_hashes(tmp_path, monkeypatch):
    target = tmp_path / "ili" / "national_illness.csv"
    target.parent.mkdir()
    shutil.copy(os.path.join(os.environ["PAPERLAB_DATA_DIR"], "ili", "national_illness.csv"), target)
    with open(target, "a") as fh:
        fh.write("\n")
    monkeypatch.setenv("PAPERLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(ChecksumError, match="national_illness.csv") as err:
        ts.load("ili")
    assert "8594cecb" in str(err.value) and "Autoformer" in str(err.value)


def test_packaged_files_read_without_pandas():
    code = "import sys; from paperlab.data import timeseries as t; t.load_epf_fr_be(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
