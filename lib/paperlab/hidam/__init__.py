"""HIDAM (arXiv:2204.11849, reconstruction): hierarchical meta-path attention for MSE default risk.

This is the only paperlab subpackage that imports ``torch_geometric``; ``import paperlab`` never
imports it. Modules: ``generator`` (synthetic bank HIN with ground truth and null world), ``metapaths``
(instances and meta-path edges), ``features`` (hand-made aggregates for G0), ``model`` (HIDAM),
``baselines``, ``metrics``, ``splits``, ``train``, ``german`` (UCI German credit as a HIN),
``configs``, ``explorers``, ``exercises``.
"""
