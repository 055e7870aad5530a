"""AdMRL (Lin et al., NeurIPS 2020, arXiv:2006.08875): adversarial task selection for model-based meta-RL.

Modules: ``tasks`` (task box and families), ``policies`` (bounded affine policy), ``lq`` (closed forms),
``dynamics`` (learned model), ``planning`` (L-BFGS in a simulator), ``gap`` (IFT gap gradient, CG),
``reinforce`` (the paper's score-function estimators), ``loop`` (outer loop and samplers), ``envs``
(gymnasium environments), ``explorers`` (widget logic), ``configs``.
"""
