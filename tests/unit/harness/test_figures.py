import json

from paperlab.core import provenance
from paperlab.harness import figures


def write_manifest(folder, name, sources, files=None):
    manifest = {
        "paper": "demo",
        "files": files if files is not None else [f"{name}.png"],
        "sources": sources,
        "source_hash": provenance.source_hash(sources),
    }
    (folder / f"{name}.json").write_text(json.dumps(manifest))


def test_detects_orphans_and_stale_sources(fake_repo):
    folder = fake_repo / "figures" / "demo"
    folder.mkdir(parents=True)
    src = ["lib/paperlab/demo/model.py"]
    (folder / "fresh.png").write_bytes(b"png")
    write_manifest(folder, "fresh", src)
    assert figures.problems() == []
    (folder / "orphan.png").write_bytes(b"png")
    write_manifest(folder, "lost", src)
    (folder / "stale.png").write_bytes(b"png")
    write_manifest(folder, "stale", src)
    (fake_repo / "lib/paperlab/demo/model.py").write_text("A = 2\n")
    problems = "\n".join(figures.problems())
    assert "orphan.png: figure without a manifest" in problems
    assert "lost.json: manifest without its figure" in problems
    assert "stale.json: stale" in problems and "make figures PAPER=demo" in problems
    assert figures.stale_series() == ["demo"]
