from paperlab.core import paths


def test_repo_root_holds_the_paperlab_pyproject():
    root = paths.repo_root()
    assert 'name = "paperlab"' in (root / "pyproject.toml").read_text()


def test_budget_decides_where_outputs_go(fake_repo):
    assert paths.figures_dir("namsg", "lab") == fake_repo / "figures" / "namsg"
    assert paths.figures_dir("namsg", "smoke") == fake_repo / "build" / "figures" / "namsg"
    assert paths.results_dir("namsg", "paper") == fake_repo / "results" / "namsg"
    assert paths.results_dir("namsg", "smoke") == fake_repo / "build" / "results" / "namsg"


def test_data_dirs_order(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERLAB_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("PAPERLAB_CACHE_DIR", str(tmp_path / "c"))
    assert paths.data_dirs() == [tmp_path / "d", tmp_path / "c" / "data"]
