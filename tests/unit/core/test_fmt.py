import math

import numpy as np
import pytest

from paperlab.core import fmt


@pytest.mark.parametrize("x", [0.123456, 123456.0, -2.5e-7, 1.0, 99.95])
def test_r_matches_python_general_format(x):
    assert fmt.r(x) == f"{x:.3g}"
    assert float(fmt.r(x, 6)) == pytest.approx(x, rel=1e-5)


def test_r_special_values():
    assert [fmt.r(v) for v in (math.nan, math.inf, -math.inf, 0.0, -0.0)] == ["nan", "inf", "-inf", "0", "0"]


def test_pm_against_numpy():
    vals = [1.0, 2.0, 4.0]
    mean, std = np.mean(vals), np.std(vals)
    assert fmt.pm(vals) == f"{mean:.3g} ± {std:.3g}"
    assert fmt.pm([5.0]) == "5"
    with pytest.raises(ValueError, match="values"):
        fmt.pm([])


def test_table_aligns_and_rounds():
    text = fmt.table([{"name": "adam", "loss": 0.123456}, {"name": "namsg", "loss": 0.1}])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "loss"] and set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["adam", "0.123"]
    assert fmt.table([]) == "(empty)"
