import pytest

from paperlab.core.exercises import check, get
from paperlab.recyclegpt import exercises  # noqa: F401  (registers the exercises)

NAMES = ["recyclegpt.speedup", "recyclegpt.fused_input", "recyclegpt.recycle_loss"]


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes_and_stub_fails(name):
    ex = get(name)
    assert check(name, ex.reference, quiet=True, strict=False)

    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert not check(name, stub, quiet=True, strict=False)


def test_wrong_answers_fail():
    import torch.nn.functional as F

    def shifted_by_one(rec_logits, batch):  # the classic off-by-one: scores x_{t+1}
        v = rec_logits.shape[-1]
        return F.cross_entropy(rec_logits.reshape(-1, v), batch[:, 1:-1].reshape(-1))

    assert not check("recyclegpt.recycle_loss", shifted_by_one, quiet=True, strict=False)
    assert not check("recyclegpt.speedup", lambda k, r, m=2: m / (k + r), quiet=True, strict=False)
