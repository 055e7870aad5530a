"""RecycleGPT (Jiang et al., arXiv 2308.03421): a small recyclable module predicts every other token.

Modules: ``config`` (model sizes), ``configs`` (per-budget settings), ``corpus`` (character data),
``cache`` (KV cache), ``model`` (TinyGPT, RecyclableModule, RecycleGPT), ``decode`` (standard and
alternating decoding), ``costmodel`` (speed-up model and timing probe), ``evaluate`` (cross-entropy in
std / rec / alt modes), ``train`` (seeded training with a keyed checkpoint cache), ``oracle`` (a test
double), ``exercises``.
"""
