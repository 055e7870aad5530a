import pytest

from paperlab.harness.student import CHECK_CALL, strip_solutions

SOLUTION = """import numpy as np


def f(x):
    y = x + 1
    ### BEGIN SOLUTION
    return y * 2
    ### END SOLUTION
"""


def test_strip_keeps_indentation_and_raises():
    stub = strip_solutions(SOLUTION)
    assert "return y * 2" not in stub
    assert "    raise NotImplementedError()" in stub and "    y = x + 1" in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_hidden_tests_are_removed():
    src = "a = 1\n### BEGIN HIDDEN TESTS\nassert a == 1\n### END HIDDEN TESTS\nb = 2"
    assert strip_solutions(src) == "a = 1\nb = 2"


def test_unterminated_block_is_an_error():
    with pytest.raises(ValueError, match="unterminated"):
        strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1")


def test_check_call_pattern():
    assert CHECK_CALL.findall("check(\"namsg.update\", my_update)\ncheck('a.b', g)") == [
        ("namsg.update", "my_update"),
        ("a.b", "g"),
    ]
