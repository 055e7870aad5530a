"""The book and browser-test environment (requirements-book.txt) agrees with the notebook lock."""

import re

from paperlab.core import paths

ROOT = paths.repo_root()


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-r")):
            assert "==" in line, f"{name}: {line!r} is not pinned"
            pkg, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", pkg.lower())] = version
    return pins


def test_book_env_is_pinned_without_torch_and_matches_the_lock():
    book = _pins("requirements-book.txt")
    assert "torch" not in book and "torch-geometric" not in book
    for other in ("requirements-lock.txt", "requirements-lab.txt"):
        ref = _pins(other)
        differ = {p: (v, ref[p]) for p, v in book.items() if p in ref and ref[p] != v}
        assert not differ, f"requirements-book.txt differs from {other}: {differ}"
    for needed in ("myst-nb", "sphinx-book-theme", "django-static-mathjax", "playwright", "jupyterlab"):
        assert needed in book, f"requirements-book.txt lacks {needed}"


def test_lock_stays_without_the_book_toolchain():
    lock = _pins("requirements-lock.txt")
    assert not {"sphinx", "myst-nb", "playwright", "jupyterlab"} & set(lock)
