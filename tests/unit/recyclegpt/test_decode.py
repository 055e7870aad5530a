import math

import pytest
import torch

from paperlab.recyclegpt.decode import generate_alternating, generate_standard
from paperlab.recyclegpt.evaluate import position_ce
from paperlab.recyclegpt.oracle import OracleModule

from .conftest import make_model


def oracle_model(seed=0):
    model = make_model(seed)
    model.rec = OracleModule(model.base)
    return model


@pytest.mark.parametrize("n_new", [1, 2, 7, 12])
@pytest.mark.parametrize("p_len", [1, 4])
@pytest.mark.parametrize("m", [2, 3])
def test_oracle_alternating_equals_standard(n_new, p_len, m):
    model = oracle_model()
    prompt = torch.randint(0, 13, (1, p_len), generator=torch.Generator().manual_seed(p_len))
    ref, s_std = generate_standard(model, prompt, n_new)
    out, s_alt = generate_alternating(model, prompt, n_new, m=m)
    assert torch.equal(out, ref)
    assert s_std.full_calls == n_new
    assert s_alt.full_calls == math.ceil(n_new / m)
    assert s_alt.rec_calls == n_new - math.ceil(n_new / m)
    assert s_alt.full_calls + s_alt.rec_calls == n_new == out.shape[1]


def test_standard_greedy_is_argmax_of_full_forward():
    model = make_model(1)
    prompt = torch.tensor([[3, 1, 4]])
    out, _ = generate_standard(model, prompt, 6)
    seq = prompt
    for _ in range(6):
        logits, _ = model.base(seq)
        seq = torch.cat((seq, logits[:, -1].argmax(-1, keepdim=True)), 1)
    assert torch.equal(out, seq[:, 3:])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("m", [2, 3])
def test_verify_is_lossless_with_random_module(seed, m):
    model = make_model(seed)
    prompt = torch.randint(0, 13, (1, 3), generator=torch.Generator().manual_seed(seed))
    ref, _ = generate_standard(model, prompt, 15)
    out, stats = generate_alternating(model, prompt, 15, m=m, verify=True)
    assert torch.equal(out, ref)
    assert 0 <= stats.accepted <= stats.rec_calls


def test_verify_with_oracle_accepts_everything():
    model = oracle_model()
    prompt = torch.tensor([[2, 5]])
    ref, _ = generate_standard(model, prompt, 11)
    out, stats = generate_alternating(model, prompt, 11, verify=True)
    assert torch.equal(out, ref)
    assert stats.accepted == stats.rec_calls == 5
    assert stats.full_calls == 6


def test_forced_alternating_scores_match_parallel_ce():
    """Teacher-forced alternating decoding (m=2) scores exactly the interleaved parallel CE."""
    model = make_model(3)
    x = torch.randint(0, 13, (2, 11), generator=torch.Generator().manual_seed(7))
    ce_f, ce_r = position_ce(model, x)
    _, stats = generate_alternating(model, x[:, :1], 10, targets=x[:, 1:])
    expected = torch.empty(2, 10, dtype=torch.float64)
    expected[:, 0::2] = ce_f[:, 0::2]  # new tokens 0, 2, 4, ... from the full model
    expected[:, 1::2] = ce_r[:, 0::2]  # new tokens 1, 3, ... from the module
    torch.testing.assert_close(stats.nll, expected, rtol=0, atol=1e-10)
    _, s_std = generate_standard(model, x[:, :1], 10, targets=x[:, 1:])
    torch.testing.assert_close(s_std.nll, ce_f, rtol=0, atol=1e-10)


def test_batched_alternating_matches_rows():
    model = make_model(4)
    prompts = torch.randint(0, 13, (3, 2), generator=torch.Generator().manual_seed(8))
    out, stats = generate_alternating(model, prompts, 9)
    for i in range(3):
        row, _ = generate_alternating(model, prompts[i : i + 1], 9)
        assert torch.equal(out[i : i + 1], row)
    assert stats.full_calls == 5


def test_sampling_is_seeded():
    model = make_model(5, scale=1.0)
    prompt = torch.tensor([[1]])
    a, _ = generate_alternating(model, prompt, 20, temperature=1.0, seed=3)
    b, _ = generate_alternating(model, prompt, 20, temperature=1.0, seed=3)
    c, _ = generate_alternating(model, prompt, 20, temperature=1.0, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_bad_decode_inputs():
    model = make_model(max_len=16)
    ok = torch.tensor([[1, 2]])
    with pytest.raises(ValueError, match="prompt"):
        generate_standard(model, torch.zeros(1, 0, dtype=torch.long), 3)
    with pytest.raises(ValueError, match="prompt"):
        generate_alternating(model, torch.tensor([[1, 13]]), 3)
    with pytest.raises(ValueError, match="prompt"):
        generate_standard(model, torch.tensor([[-1]]), 3)
    with pytest.raises(TypeError, match="prompt"):
        generate_standard(model, torch.tensor([[1.0]]), 3)
    with pytest.raises(ValueError, match="max_len"):
        generate_alternating(model, ok, 15)
    with pytest.raises(ValueError, match="n_new"):
        generate_standard(model, ok, 0)
    with pytest.raises(ValueError, match="m must"):
        generate_alternating(model, ok, 3, m=0)
    with pytest.raises(ValueError, match="temperature"):
        generate_alternating(model, ok, 3, verify=True, temperature=0.7)
    with pytest.raises(ValueError, match="batch"):
        generate_alternating(model, torch.ones(2, 2, dtype=torch.long), 3, verify=True)
    out, _ = generate_alternating(model, ok, 14)  # exactly max_len fits
    assert out.shape == (1, 14)
    out, _ = generate_alternating(model, ok, 14, m=3, verify=True)
    assert out.shape == (1, 14)
