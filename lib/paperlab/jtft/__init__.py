"""JTFT: a joint time-frequency domain Transformer for multivariate forecasting (Chen et al., arXiv:2305.14649).

Modules: ``layers`` (RevIN, Patcher, CustomDCT, CIEncoder, LowRankChannelAttention, FlattenHead),
``freq_init``, ``model`` (JTFTConfig, JTFT), ``baselines``, ``train``, ``bench``, ``generators``,
``paper_numbers``, ``configs``, ``explorers``, ``exercises``.
"""

from paperlab.jtft.model import JTFT, JTFTConfig

__all__ = ["JTFT", "JTFTConfig"]
