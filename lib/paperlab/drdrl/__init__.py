"""DRDRL: distributional reward decomposition (Lin et al., NeurIPS 2019, arXiv 1911.02166).

The distributional pieces (categorical support, C51 projection, convolution of N categoricals) live in
:mod:`paperlab.drdrl.ops`; a C51 agent is :class:`paperlab.drdrl.agent.DRDRLAgent` with one channel and
no regulariser (:func:`paperlab.drdrl.agent.c51_agent`). Importing :mod:`paperlab.drdrl.envs` registers the
CoinsGems environments under ``paperlab/``.
"""
