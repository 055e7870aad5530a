import numpy as np
import pytest

from paperlab.jtft import configs
from paperlab.jtft import experiments as ex
from paperlab.jtft.generators import lead_lag


def test_c1_rule():
    def cell(j, p, d, n, sj=0.0):
        return {
            "JTFT": {"mse": [j - sj, j + sj]},
            "PatchTST-lite": {"mse": [p, p]},
            "DLinear": {"mse": [d, d]},
            "NLinear": {"mse": [n, n]},
        }

    all_best = ex.c1_verdict_value({"a": cell(1, 2, 3, 4), "b": cell(1, 2, 3, 4)})
    assert all_best["fraction_best"] == 1.0 and all_best["all_but_one_close"]
    near = ex.c1_verdict_value({"a": cell(1, 2, 3, 4), "b": cell(1.05, 1.0, 3, 4, sj=0.1)})
    assert near["fraction_best"] == 0.5 and near["all_but_one_close"]
    far = ex.c1_verdict_value({"a": cell(1, 2, 3, 4), "b": cell(2, 1.0, 3, 4, sj=0.1)})
    assert (
        far["fraction_best"] == 0.5
        and not far["all_but_one_close"]
        and far["detail"]["b"]["best"] == "PatchTST-lite"
    )


def test_small_cell_train_one_and_build():
    cfg = configs.for_budget("smoke")
    x, _ = lead_lag(1200, 3, rho=1.0, seed=0)
    cell = ex.small_cell("lead_lag", x, 12, cfg, "generator", e_layers_tfi=0)
    assert cell.jtft.e_layers_tfi == 0 and cell.fallback and cell.name == "lead_lag-12"
    run = ex.train_one("JTFT", cell, 0, "smoke", max_steps=2)
    yhat, y = ex.test_predictions(run, cell)
    assert yhat.shape == y.shape and run.n_windows == len(y)
    assert run.mse == pytest.approx(float(np.mean((yhat.astype(np.float64) - y) ** 2)))
    for name in ("PatchTST-lite", "DLinear", "NLinear", "Naive", "Transformer", "Transformer (no RevIN)"):
        assert ex.build(name, cell).eval()(__import__("torch").randn(2, 96, 3)).shape == (2, 12, 3)
    with pytest.raises(ValueError, match="model"):
        ex.build("LSTM", cell)
    assert ex.summarise([run])["JTFT"]["mse"] == [run.mse]
