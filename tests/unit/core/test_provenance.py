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
