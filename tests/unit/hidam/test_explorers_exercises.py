import numpy as np
import pandas as pd
import pytest
import torch

from paperlab.core.exercises import check
from paperlab.data import MissingDataError
from paperlab.hidam import exercises, metrics
from paperlab.hidam.experiments import dims, paired
from paperlab.hidam.explorers import company_view, lift_table
from paperlab.hidam.german import GERMAN_METAPATHS, german_hin, load_german_credit
from paperlab.hidam.metapaths import BANK_METAPATHS, enumerate_instances
from paperlab.hidam.model import HIDAM
from paperlab.hidam.train import prepare


def test_lift_table_null_vs_relational():
    rows, rate = lift_table(n_companies=1500)
    rows0, rate0 = lift_table(n_companies=1500, null=True)
    assert abs(rate - 0.06) < 0.005 and abs(rate0 - 0.06) < 0.005
    lift = {r["meta-path"]: r["lift"] for r in rows}
    lift0 = {r["meta-path"]: r["lift"] for r in rows0}
    assert lift["G->"] > 2 and lift["P"] > 2  # relations carry default risk
    assert lift0["P"] < 1.6  # the null world: no strong lift


def test_company_view_rows_match_instances(tiny):
    prep = prepare(tiny, BANK_METAPATHS, None)
    node, edge = dims(tiny)
    torch.manual_seed(0)
    m = HIDAM(node, edge, BANK_METAPATHS, d=4).eval()
    _, att = m(tiny, prep.instances)
    rows = company_view(prep, att, 0)
    expected = sum(int((enumerate_instances(tiny, mp).target == 0).sum()) for mp in BANK_METAPATHS)
    assert len(rows) == expected
    for mp in BANK_METAPATHS:
        betas = [r["beta"] for r in rows if r["meta-path"] == mp.name]
        if betas:
            assert sum(betas) == pytest.approx(1.0, abs=2e-3)
    with pytest.raises(ValueError, match="company"):
        company_view(prep, att, 99)


def test_exercise_references():
    rng = np.random.default_rng(0)
    s, idx = rng.normal(size=9), np.array([0, 0, 1, 1, 1, 3, 3, 3, 3])
    out = exercises.segment_softmax_reference(s, idx, 4)
    np.testing.assert_allclose(np.bincount(idx, weights=out, minlength=4)[[0, 1, 3]], 1.0)
    assert check("hidam.segment_softmax", exercises.segment_softmax_reference, quiet=True)
    assert check("hidam.ks_stat", metrics.ks_stat, quiet=True)
    assert check("hidam.content_attention", exercises.content_attention_reference, quiet=True)
    assert not check("hidam.metapath_adjacency", lambda a: a @ a.T, quiet=True)  # the diagonal must go
    assert check("hidam.metapath_adjacency", exercises.metapath_adjacency_reference, quiet=True)


def test_paired():
    m, se = paired([0.8, 0.7, 0.9], [0.7, 0.7, 0.8])
    assert m == pytest.approx(0.2 / 3) and se == pytest.approx(np.std([0.1, 0, 0.1], ddof=1) / np.sqrt(3))


def test_german_hin_on_a_made_up_table():
    df = pd.DataFrame(
        {
            c: [1.0, 2.0, 3.0, 4.0]
            for c in (
                "duration_in_month",
                "credit_amount",
                "installment_rate_in_percentage_of_disposable_income",
                "present_residence_since",
                "age_in_years",
                "number_of_existing_credits_at_this_bank",
                "number_of_people_being_liable_to_provide_maintenance_for",
            )
        }
    )
    for t in ("purpose", "job", "property", "housing"):
        df[t] = ["a", "b", "a", "c"]
    df["creditability"] = ["good", "bad", "good", "bad"]
    d = german_hin(df)
    assert d["applicant"].y.tolist() == [0, 1, 0, 1]
    assert d["purpose"].num_nodes == 3 and d["applicant"].x.shape == (4, 7 + 12)
    inst = enumerate_instances(d, GERMAN_METAPATHS[0])
    assert sorted(zip(inst.node_ids[0].tolist(), inst.node_ids[-1].tolist(), strict=True)) == [(0, 2), (2, 0)]
    with pytest.raises(ValueError, match="creditability"):
        german_hin(df.drop(columns="creditability"))


def test_german_real_data():
    try:
        df, _ = load_german_credit()
    except MissingDataError as err:
        pytest.skip(f"German credit data not available: {err}")
    assert df.shape == (1000, 21) and (df["creditability"] == "bad").sum() == 300
