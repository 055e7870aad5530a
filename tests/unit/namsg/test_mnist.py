"""The MNIST-5k budget sizes and runner (the loader is tested in tests/unit/data/test_small.py)."""

from paperlab.core import budget
from paperlab.data.small import as_tensors, mnist5k
from paperlab.namsg import mnist


def test_configs_and_run():
    for b in budget.BUDGETS:
        cfg = mnist.for_budget(b)
        assert cfg.train_size + cfg.test_size <= 5000 and set(cfg.logreg_lrs) == set(cfg.mlp_lrs) == {
            "Adam",
            "NAMSG",
        }
    data = as_tensors(mnist5k(test_size=100, train_size=200))
    out = mnist.compare("logreg", {"Adam": (0.01,), "NAMSG": (0.1,)}, 2, (0, 1), data, 64)
    for res in out.values():
        assert len(res["histories"]) == 2 and len(res["histories"][0]["train_loss"]) == 3
        assert res["histories"][0]["train_loss"][-1] < res["histories"][0]["train_loss"][0]
