"""Each hygiene rule fails on a notebook that breaks it (so the rules cannot pass vacuously)."""

import copy

import pytest

from paperlab.harness.hygiene import literal_assignments_only, notebook_problems


def cell(source, tags=(), kind="code", **extra):
    c = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        c.update(outputs=[], execution_count=None)
    c.update(extra)
    return c


GOOD = {
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    },
    "cells": [
        cell("# Title", kind="markdown"),
        cell("BUDGET = None\nSEED = 0", ["parameters"]),
        cell("import paperlab", ["nbval-ignore-output"]),
        cell("x = 1"),
    ],
}


def test_good_notebook_passes():
    assert notebook_problems(GOOD, "01_explain.ipynb") == []


def broken(mutate):
    nb = copy.deepcopy(GOOD)
    mutate(nb)
    return nb


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda nb: nb["metadata"]["kernelspec"].update(name="conda-env"), "kernelspec"),
        (lambda nb: nb["cells"].pop(1), "exactly one cell tagged 'parameters'"),
        (lambda nb: nb["cells"].append(cell("A = 1", ["parameters"])), "exactly one"),
        (lambda nb: nb["cells"][1].update(source="BUDGET = budget()"), "literal assignments"),
        (lambda nb: nb["cells"][1].update(source="SEED = 0"), "must define BUDGET"),
        (lambda nb: nb["cells"].insert(1, cell("import os")), "first code cell"),
        (lambda nb: nb["cells"][2]["metadata"].update(tags=[]), "setup cell"),
        (lambda nb: nb["cells"][3].update(outputs=[{"output_type": "stream", "text": "1"}]), "outputs"),
        (lambda nb: nb["cells"][3].update(execution_count=3), "execution count"),
        (
            lambda nb: nb["cells"].insert(2, cell("BUDGET = 'smoke'", ["injected-parameters"])),
            "injected-parameters",
        ),
        (lambda nb: nb["metadata"].update(papermill={"parameters": {}}), "papermill"),
        (lambda nb: nb["cells"][3]["metadata"].update(papermill={"duration": 1.0}), "papermill"),
        (lambda nb: nb["cells"][3]["metadata"].update(tags=["raises-exception"]), "raises-exception"),
        (lambda nb: nb["cells"][3]["metadata"].update(tags=["skip-execution"]), "nbval-skip"),
        (lambda nb: nb["cells"][3].update(source="import sys\nsys.path.insert(0, '..')"), "sys.path"),
        (lambda nb: nb["cells"][3].update(source="%run other.ipynb"), "%run"),
        (lambda nb: nb["cells"][3].update(source="x = t.cuda()"), "CUDA"),
        (lambda nb: nb["cells"][3].update(source="open('/work/main/data.csv')"), "absolute path"),
        (lambda nb: nb["cells"][3].update(source="widgets.interact(f, a=1)"), "widget cells"),
        (lambda nb: nb["cells"][3].update(source="def f():\n    ### BEGIN SOLUTION\n    pass"), "unbalanced"),
    ],
)
def test_rule_catches_bad_notebook(mutate, expected):
    problems = notebook_problems(broken(mutate), "01_explain.ipynb")
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("name", ["explain.ipynb", "1_explain.ipynb", "01_Explain.ipynb", "01-explain.ipynb"])
def test_file_naming_rule(name):
    assert any("NN_name" in p for p in notebook_problems(GOOD, name))


def test_literal_assignments():
    assert literal_assignments_only("BUDGET = None\nSEED = 0\nLR = (1e-3, 2)")
    assert not literal_assignments_only("import os")
    assert not literal_assignments_only("A = os.environ")
    assert not literal_assignments_only("a, b = 1, 2")
    assert not literal_assignments_only("A = (")
