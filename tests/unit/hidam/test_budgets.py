"""Budget configurations: dropout, seeds, the empty-instance rule, trained-enough, and one optimisation step of
every budget's configuration (the paper budget at full size only on request: about 2-3 min on 2 CPU cores)."""

import dataclasses
import os

import pytest
import torch

from paperlab.hidam import configs
from paperlab.hidam.experiments import one_step_seconds
from paperlab.hidam.model import HIDAM
from paperlab.hidam.train import trained_enough


@pytest.mark.parametrize("budget", ["smoke", "lab", "paper"])
def test_configs(budget):
    cfg = configs.for_budget(budget)
    assert cfg.dropout == 0.5 and cfg.patience <= cfg.epochs
    if budget != "smoke":
        assert min(len(cfg.seeds), len(cfg.seeds_indep), len(cfg.german_seeds)) >= 8


def test_hidam_defaults_to_zero_for_targets_without_instances():
    from paperlab.hidam.metapaths import BANK_METAPATHS

    m = HIDAM({"company": 3, "person": 0}, {}, BANK_METAPATHS[:1], d=4, link_attrs=False, content="endpoint")
    assert all(ia.empty == "zero" for ia in m.inst_att.values())
    with pytest.raises(ValueError, match="dropout"):
        HIDAM({"company": 3}, {}, BANK_METAPATHS[:1], d=4, link_attrs=False, content="endpoint", dropout=1.0)


def test_trained_enough():
    assert trained_enough({"val_auc": [0.5] * 30}, epochs=100)  # early stopping fired
    assert trained_enough({"val_auc": [0.5 + 0.001 * i for i in range(80)] + [0.59] * 20}, epochs=100)  # flat
    assert not trained_enough({"val_auc": [0.5 + 0.01 * i for i in range(40)]}, epochs=40)  # still rising


def test_lab_config_builds_and_steps_at_full_size():
    t = one_step_seconds(configs.for_budget("lab"))
    assert set(t) == {"generate", "prepare", "HAN", "HIDAM"} and all(v > 0 for v in t.values())


@pytest.mark.skipif(not os.environ.get("PAPERLAB_PAPER_STEP"), reason="set PAPERLAB_PAPER_STEP=1: about 2-3 min")
def test_paper_config_builds_and_steps_at_full_size():
    cfg = configs.for_budget("paper")
    t = one_step_seconds(cfg)
    assert all(v > 0 for v in t.values())


def test_one_step_names_a_nonfinite_loss(monkeypatch):
    cfg = dataclasses.replace(configs.for_budget("smoke"), n_companies=200)
    monkeypatch.setattr(torch.nn.functional, "binary_cross_entropy_with_logits", lambda a, b: a.sum() * float("nan"))
    with pytest.raises(RuntimeError, match="not finite"):
        one_step_seconds(cfg, models=("HAN",))
