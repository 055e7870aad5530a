import pytest
import torch

from paperlab.recyclegpt.config import TinyGPTConfig
from paperlab.recyclegpt.model import RecycleGPT


def make_model(seed: int = 0, rec_layers: int = 1, max_len: int = 64, scale: float = 8.0) -> RecycleGPT:
    """A float64 random model whose weights are scaled up so greedy choices are far from ties."""
    torch.manual_seed(seed)
    cfg = TinyGPTConfig(
        vocab_size=13, d_model=16, n_layers=2, n_heads=2, max_len=max_len, rec_layers=rec_layers
    )
    model = RecycleGPT(cfg).double().eval()
    with torch.no_grad():
        model.base.tok_emb.weight.mul_(scale)
    return model


@pytest.fixture
def model() -> RecycleGPT:
    return make_model()
