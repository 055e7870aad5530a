import hashlib
import os

import pytest

from paperlab.data import REGISTRY, ChecksumError, MissingDataError, locate, registry


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PAPERLAB_DOWNLOAD", raising=False)
    return tmp_path / "data"


def fake_entry(monkeypatch, content: bytes):
    entry = registry.DataFile(
        "fake", "fake/file.csv", hashlib.sha256(content).hexdigest(), "", "none", "none"
    )
    monkeypatch.setitem(REGISTRY, "fake", entry)
    return entry


def test_locate_verifies_a_good_file(data_dir, monkeypatch):
    fake_entry(monkeypatch, b"a,b\n1,2\n")
    (data_dir / "fake").mkdir(parents=True)
    (data_dir / "fake" / "file.csv").write_bytes(b"a,b\n1,2\n")
    assert locate("fake") == data_dir / "fake" / "file.csv"


def test_corrupted_file_names_both_hashes(data_dir, monkeypatch):
    entry = fake_entry(monkeypatch, b"a,b\n1,2\n")
    (data_dir / "fake").mkdir(parents=True)
    (data_dir / "fake" / "file.csv").write_bytes(b"a,b\n1,3\n")
    with pytest.raises(ChecksumError) as err:
        locate("fake")
    message = str(err.value)
    assert entry.sha256 in message and hashlib.sha256(b"a,b\n1,3\n").hexdigest() in message
    assert "file.csv" in message and "PAPERLAB_DATA_DIR" in message


def test_missing_file_says_how_to_obtain_it(data_dir):
    with pytest.raises(MissingDataError, match=r"ETTh1\.csv.*f18de3ad.*raw\.githubusercontent"):
        locate("etth1", download=False)


def test_unknown_name():
    with pytest.raises(KeyError, match="registered"):
        locate("imagenet")


def test_packaged_digits_verify():
    path = locate("digits")
    assert path.name == "digits.csv.gz"


@pytest.mark.skipif(not os.environ.get("PAPERLAB_DATA_DIR"), reason="PAPERLAB_DATA_DIR is unset (CI sets it)")
@pytest.mark.parametrize("name", ["etth1", "etth2", "national_illness", "exchange_rate"])
def test_shared_benchmark_files_verify(name):
    assert locate(name, download=False).is_file()


def test_packaged_data_needs_its_package(monkeypatch):
    entry = registry.DataFile("fakepkg", "x.csv", "0" * 64, "", "none", "none", package="no_such_package_xyz")
    monkeypatch.setitem(REGISTRY, "fakepkg", entry)
    with pytest.raises(MissingDataError, match="no_such_package_xyz"):
        locate("fakepkg")


def test_locating_packaged_data_does_not_import_the_package():
    import subprocess
    import sys

    code = "import sys; from paperlab.data import locate; locate('digits'); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_packaged_mnist_subset_verifies():
    assert locate("mnist_5k").name == "mnist_5k.csv.gz"
