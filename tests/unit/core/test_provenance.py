import importlib
import json

from paperlab.core import provenance


def test_loaded_library_files_track_imported_series_modules_only():
    importlib.import_module("paperlab.sunway.arch")
    files = provenance.loaded_library_files()
    assert "lib/paperlab/sunway/arch.py" in files
    assert not [f for f in files if f.startswith(("lib/paperlab/core/", "lib/paperlab/harness/"))]


def test_source_hash_ignores_notebook_narrative_but_not_code(fake_repo):
    nb = {"cells": [{"cell_type": "markdown", "source": "# one"}, {"cell_type": "code", "source": "x = 1"}]}
    path = fake_repo / "notebooks" / "01_a.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb))
    before = provenance.source_hash(["notebooks/01_a.ipynb"])
    nb["cells"][0]["source"] = "# two"
    path.write_text(json.dumps(nb))
    assert provenance.source_hash(["notebooks/01_a.ipynb"]) == before
    nb["cells"][1]["source"] = "x = 2"
    path.write_text(json.dumps(nb))
    assert provenance.source_hash(["notebooks/01_a.ipynb"]) != before
    assert provenance.source_hash(["missing.py"]) != provenance.source_hash([])


def test_lab_results_refuse_a_dirty_tree_and_name_the_files(git_repo, monkeypatch):
    import pytest

    (git_repo / "lib" / "paperlab" / "demo" / "model.py").write_text("A = 2\n")
    with pytest.raises(provenance.DirtyTreeError, match="lib/paperlab/demo/model.py"):
        provenance.save_result("demo", "e1", "lab", {"x": 1})
    assert not (git_repo / "results").exists()
    # smoke never needs a clean tree; the escape hatch writes an uncommitted copy under build/
    assert provenance.save_result("demo", "e1", "smoke", {"x": 1}).parent == git_repo / "build" / "results" / "demo"
    monkeypatch.setenv("PAPERLAB_ALLOW_DIRTY", "1")
    path = provenance.save_result("demo", "e1", "lab", {"x": 1})
    assert path == git_repo / "build" / "results" / "demo" / "e1-lab.json"
    assert json.loads(path.read_text())["git_revision"].endswith("-dirty")


def test_notebook_outputs_and_results_do_not_make_the_tree_dirty(git_repo):
    import subprocess

    nb = {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [], "metadata": {}}]}
    path = git_repo / "notebooks" / "01_a.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb))
    (git_repo / "results" / "demo").mkdir(parents=True)
    (git_repo / "results" / "demo" / "old-lab.json").write_text("{}")
    for args in (["add", "-A"], ["commit", "-qm", "nb"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=git_repo, check=True)
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    path.write_text(json.dumps(nb))
    (git_repo / "results" / "demo" / "old-lab.json").write_text('{"new": 1}')
    assert provenance.modified_sources() == []
    nb["cells"][0]["source"] = "x = 2"
    path.write_text(json.dumps(nb))
    assert provenance.modified_sources() == ["notebooks/01_a.ipynb"]


def test_save_result_rejects_bad_names_and_provenance_keys(fake_repo):
    import pytest

    with pytest.raises(ValueError, match="name"):
        provenance.save_result("demo", "e1-smoke", "smoke", {})
    with pytest.raises(ValueError, match="provenance keys"):
        provenance.save_result("demo", "e1", "smoke", {"git_revision": "x"})
def test_notebook_code_leaves_out_hidden_test_cells(tmp_path):
    import json

    from paperlab.core.provenance import notebook_code

    def nb(*sources):
        cells = [{"cell_type": "code", "source": s, "metadata": {}} for s in sources]
        path = tmp_path / "n.ipynb"
        path.write_text(json.dumps({"cells": cells}))
        return notebook_code(path)

    hidden = "# graded\n### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS"
    assert nb("x = 1", hidden, "y = 2") == nb("x = 1", "y = 2")
