import pytest


@pytest.fixture
def fake_repo(tmp_path, monkeypatch):
    """A throwaway repository root so tests can write figures/ and results/ safely."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "paperlab"\n')
    (tmp_path / "lib" / "paperlab" / "demo").mkdir(parents=True)
    (tmp_path / "lib" / "paperlab" / "demo" / "model.py").write_text("A = 1\n")
    monkeypatch.setenv("PAPERLAB_ROOT", str(tmp_path))
    monkeypatch.delenv("PAPERLAB_NOTEBOOK", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def _lenient_exercise_checks(monkeypatch):
    """Unit tests call exercises.check on stubs and wrong answers on purpose: never in strict mode."""
    monkeypatch.delenv("PAPERLAB_STRICT_EXERCISES", raising=False)


@pytest.fixture
def git_repo(fake_repo):
    """``fake_repo`` as a git repository with one commit (for the clean-tree rule of lab results)."""
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=fake_repo, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    return fake_repo
