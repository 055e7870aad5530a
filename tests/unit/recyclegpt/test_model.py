import pytest
import torch
import torch.nn.functional as F

from paperlab.recyclegpt.cache import KVCache
from paperlab.recyclegpt.config import TinyGPTConfig
from paperlab.recyclegpt.model import RecycleGPT, n_params

from .conftest import make_model


@pytest.mark.parametrize("chunks", [[1] * 10, [2] * 5, [3, 1, 2, 2, 2], [10]])
def test_cached_forward_equals_full_forward(model, chunks):
    x = torch.randint(0, 13, (2, sum(chunks)), generator=torch.Generator().manual_seed(1))
    full_logits, full_h = model.base(x)
    cache = model.base.new_cache()
    logits, hs, pos = [], [], 0
    for q in chunks:
        lo, h = model.base(x[:, pos : pos + q], cache)
        logits.append(lo)
        hs.append(h)
        pos += q
    assert cache.length == x.shape[1]
    torch.testing.assert_close(torch.cat(logits, 1), full_logits, rtol=0, atol=1e-10)
    torch.testing.assert_close(torch.cat(hs, 1), full_h, rtol=0, atol=1e-10)


def test_module_cache_equals_teacher_forced(model):
    x = torch.randint(0, 13, (1, 12), generator=torch.Generator().manual_seed(2))
    _, h = model.base(x)
    full = model.rec(h[:, :-1], x[:, 1:])
    cache = model.rec.new_cache()
    parts, pos = [], 0
    for q in (3, 1, 2, 2, 1, 2):
        parts.append(model.rec(h[:, pos : pos + q], x[:, pos + 1 : pos + 1 + q], cache))
        pos += q
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=0, atol=1e-10)


def test_truncate_then_reappend_equals_never_appended(model):
    x = torch.randint(0, 13, (1, 8), generator=torch.Generator().manual_seed(3))
    junk = torch.randint(0, 13, (1, 3), generator=torch.Generator().manual_seed(4))
    clean, dirty = model.base.new_cache(), model.base.new_cache()
    model.base(x[:, :5], clean)
    a, _ = model.base(x[:, 5:], clean)
    model.base(x[:, :5], dirty)
    model.base(junk, dirty)
    dirty.truncate(5)
    assert dirty.length == 5
    b, _ = model.base(x[:, 5:], dirty)
    torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_losses_match_position_loop(model):
    x = torch.randint(0, 13, (2, 9), generator=torch.Generator().manual_seed(5))
    out = model.losses(x, lambda_rec=0.5)
    logits, h = model.base(x)
    lm, rec = [], []
    for t in range(x.shape[1] - 1):  # p(x_{t+1} | x_<=t)
        lm.append(F.cross_entropy(logits[:, t], x[:, t + 1]))
    r = model.rec(h[:, :-2], x[:, 1:-1])
    for t in range(x.shape[1] - 2):  # q(x_{t+2} | h_t, x_{t+1}), computed from its own fused input
        u = model.rec.w_in(torch.cat((h[:, : t + 1], model.base.tok_emb(x[:, 1 : t + 2])), -1))
        rt = u
        for blk in model.rec.blocks:
            rt = blk(rt, model.rec.rope, 0, None, 0)
        torch.testing.assert_close(rt[:, -1], r[:, t], rtol=0, atol=1e-10)
        rec.append(F.cross_entropy(model.logits(rt[:, -1]), x[:, t + 2]))
    torch.testing.assert_close(out["lm"], torch.stack(lm).mean(), rtol=0, atol=1e-12)
    torch.testing.assert_close(out["rec"], torch.stack(rec).mean(), rtol=0, atol=1e-12)
    torch.testing.assert_close(out["total"], out["lm"] + 0.5 * out["rec"], rtol=0, atol=1e-12)


def test_rec_target_is_token_after_next(model):
    """A module output that puts all mass on x_{t+2} gives L_rec ~ 0; on x_{t+1} it does not."""
    x = torch.randint(0, 13, (1, 10), generator=torch.Generator().manual_seed(6))
    big = 50.0
    right = F.cross_entropy(big * F.one_hot(x[:, 2:], 13).double().view(-1, 13), x[:, 2:].reshape(-1))
    wrong = F.cross_entropy(big * F.one_hot(x[:, 1:-1], 13).double().view(-1, 13), x[:, 2:].reshape(-1))
    assert right < 1e-6 < wrong


def test_embedding_ablation_ignores_next_token(model):
    h = torch.randn(1, 4, 16, dtype=torch.float64)
    a = model.rec(h, torch.tensor([[1, 2, 3, 4]]), use_embedding=False)
    b = model.rec(h, torch.tensor([[5, 6, 7, 8]]), use_embedding=False)
    c = model.rec(h, torch.tensor([[5, 6, 7, 8]]))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)


def test_freeze_base_and_param_counts():
    model = make_model()
    model.freeze_base()
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert trainable == {id(p) for p in model.rec.parameters()}
    d, v = 16, 13
    per_block = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (4 * d * d + 4 * d) + (4 * d * d + d)
    assert n_params(model.rec) == (2 * d * d + d) + per_block
    assert n_params(model.base) == v * d + 2 * per_block + 2 * d  # tied head counted once


def test_bad_inputs(model):
    with pytest.raises(ValueError, match="batch"):
        model.losses(torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(TypeError, match="idx"):
        model.base(torch.zeros(1, 2))
    with pytest.raises(ValueError, match="idx"):
        model.base(torch.zeros(1, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="lambda_rec"):
        model.losses(torch.zeros(1, 4, dtype=torch.long), lambda_rec=-1)
    with pytest.raises(ValueError, match="n_heads"):
        TinyGPTConfig(10, d_model=10, n_heads=3)
    with pytest.raises(ValueError, match="rec_layers"):
        TinyGPTConfig(10, rec_layers=0)
    with pytest.raises(ValueError, match="max_len"):
        cache = KVCache(1, 4)
        cache.append(0, torch.zeros(1, 1, 5, 2), torch.zeros(1, 1, 5, 2))
    with pytest.raises(ValueError, match="prev_hidden"):
        model.rec(torch.zeros(1, 3, 16, dtype=torch.float64), torch.zeros(1, 2, dtype=torch.long))
    assert isinstance(RecycleGPT(TinyGPTConfig(10, d_model=8, n_heads=2, n_layers=1)), RecycleGPT)
