import copy

import pytest

from paperlab.harness import course, grading

SOLUTION = """import numpy as np


def softmax(x):
    ### BEGIN SOLUTION
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION
"""
CHECK = 'from paperlab.core.exercises import check\n\ncheck("core.softmax", softmax)'
HIDDEN = """from paperlab.core.exercises import hidden_check
import numpy as np

hidden_check("core.softmax", softmax, [((np.array([[0.0, 0.0]]),), {}, np.array([[0.5, 0.5]]))])
"""


def cell(source, cell_type="code"):
    return {"cell_type": cell_type, "id": str(abs(hash(source)))[:8], "metadata": {}, "source": source,
            "outputs": [], "execution_count": None}


def notebook():
    cells = [cell("# Exercise", "markdown"), cell(SOLUTION), cell(CHECK), cell("print('later')")]
    for c in cells:
        if c["cell_type"] == "markdown":
            del c["outputs"], c["execution_count"]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def annotated():
    return grading.annotate(notebook(), {"core.softmax": HIDDEN})


def test_annotate_writes_nbgrader_metadata_and_a_hidden_cell():
    nb = annotated()
    sol, chk, hid = (c["metadata"]["nbgrader"] for c in nb["cells"][1:4])
    assert sol == {"grade": False, "grade_id": "core-softmax", "locked": False, "schema_version": 3,
                   "solution": True, "task": False}
    assert chk["grade"] and chk["locked"] and chk["points"] == grading.VISIBLE_POINTS
    assert hid["grade_id"] == "core-softmax-hidden" and hid["points"] == grading.HIDDEN_POINTS
    assert grading.HIDDEN_BEGIN in nb["cells"][3]["source"]
    assert grading.points(nb) == grading.VISIBLE_POINTS + grading.HIDDEN_POINTS
    assert grading.problems(nb) == []


def test_annotate_is_idempotent():
    nb = annotated()
    assert grading.annotate(copy.deepcopy(nb), {"core.softmax": HIDDEN}) == nb


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda nb: nb["cells"][1]["metadata"].pop("nbgrader"), "exercise cell needs"),
        (lambda nb: nb["cells"][1]["metadata"]["nbgrader"].update(locked=True), "exercise cell needs"),
        (lambda nb: nb["cells"][2]["metadata"]["nbgrader"].update(locked=False), "check cell needs"),
        (lambda nb: nb["cells"][2]["metadata"]["nbgrader"].update(points=0), "positive points"),
        (lambda nb: nb["cells"][4]["metadata"].update(nbgrader=dict(nb["cells"][2]["metadata"]["nbgrader"])),
         "duplicate grade_id"),
        (lambda nb: nb["cells"][4]["metadata"].update(
            nbgrader={"grade": True, "grade_id": "x", "locked": True, "points": 1, "schema_version": 3,
                      "solution": False}), "neither a check cell"),
        (lambda nb: nb["cells"][4].update(source="x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"),
         "without a following check"),
        (lambda nb: nb["cells"][1].update(source="def softmax(x):\n    return x"), "without '### BEGIN SOLUTION'"),
        (lambda nb: nb["cells"].pop(3), "no hidden-test cell"),
        (lambda nb: nb["cells"][3].update(source=nb["cells"][3]["source"].replace("softmax, [", "max, [")),
         "must call hidden_check"),
    ],
)
def test_problems_catch_a_bad_cell(damage, message):
    nb = annotated()
    damage(nb)
    found = grading.problems(nb)
    assert any(message in p for p in found), found


def test_cheat_calls_the_reference_and_hidden_tests_tell_it_apart():
    nb = annotated()
    ex = grading.find_exercises(nb)[0]
    cheat = grading.cheat_source(SOLUTION, ex)
    assert 'get("core.softmax").reference(x)' in cheat.replace("'", '"')
    hidden = nb["cells"][3]["source"]
    assert grading._hidden_passes(SOLUTION, hidden)
    assert not grading._hidden_passes(cheat, hidden)


def test_course_init_writes_config_and_sources(tmp_path):
    points = course.init(tmp_path / "c", ["swtvm"])
    config = (tmp_path / "c" / "nbgrader_config.py").read_text()
    assert 'os.environ["PAPERLAB_BUDGET"] = \'smoke\'' in config
    assert sorted(p.name for p in (tmp_path / "c" / "source" / "swtvm").iterdir()) == [
        "01_explain.ipynb", "02_implement.ipynb", "03_reproduce.ipynb", "04_explore.ipynb"]
    assert points == {"swtvm": course.assignment_points("swtvm")} and points["swtvm"] > 0
    compile(config, "nbgrader_config.py", "exec")


@pytest.mark.parametrize(
    "kwargs, match",
    [({"series": ["nope"]}, "unknown series"), ({"budget": "huge"}, "unknown budget"), ({"timeout": 0}, "timeout")],
)
def test_course_init_rejects_bad_input(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        course.init(tmp_path / "c", **kwargs)


def test_course_init_refuses_to_overwrite(tmp_path):
    course.init(tmp_path / "c", ["swcaffe"])
    with pytest.raises(ValueError, match="--force"):
        course.init(tmp_path / "c", ["swcaffe"])
    course.init(tmp_path / "c", ["swcaffe"], force=True)
