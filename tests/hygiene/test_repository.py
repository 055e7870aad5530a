"""Repository conventions: the lock, light imports, environment.yml, figure manifests, README in sync."""

import re
import subprocess
import sys
import tomllib

import yaml

from paperlab.core import paths
from paperlab.harness import figures, readme

ROOT = paths.repo_root()


def test_lock_pins_cpu_torch_exactly_once_and_no_cuda():
    lines = [line.strip() for line in (ROOT / "requirements-lock.txt").read_text().splitlines()]
    pins = [line for line in lines if line and not line.startswith("#")]
    assert [p for p in pins if p.lower().startswith("torch==")] == ["torch==2.13.0"]
    assert not [p for p in pins if re.match(r"(nvidia-|triton|cuda-)", p.lower())]
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]
    assert not [p for p in pins if p.lower().startswith("jupyterlab==")], (
        "jupyterlab stays out of the CI lock"
    )


def test_no_requirement_names_torch_without_the_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    torch_deps = [d for d in deps if re.match(r"torch\b(?!-)", d)]
    assert torch_deps == ["torch==2.13.0"]


def test_import_paperlab_is_light():
    code = (
        "import paperlab, paperlab.core, sys; print('torch_geometric' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_environment_yml_delegates_to_pip_and_matches_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "python=3.11" in env["dependencies"] and project["requires-python"] == ">=3.11,<3.12"
    assert "pip" in env["dependencies"]
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e ." in pip and any(p.startswith("-r requirements-") for p in pip)
    lab = (ROOT / "requirements-lab.txt").read_text()
    assert "-r requirements-lock.txt" in lab and "jupyterlab==" in lab


def test_figure_manifests_present_and_fresh():
    assert figures.problems() == []


def test_readme_generated_sections_in_sync():
    text = readme.readme_path().read_text(encoding="utf-8")
    assert readme.render(text) == text, "README.md is out of date: run `paperlab readme`"


def test_makefile_has_the_documented_targets_and_ci_calls_make_test():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("setup", "lab", "reports", "report", "figures", "student", "test", "clean"):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "MPLBACKEND" not in makefile.replace("Never set MPLBACKEND", "")
