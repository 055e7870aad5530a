"""Shared reinforcement-learning toolkit (used by EMDQN, DRDRL and AdMRL).

Importing ``paperlab.rl`` registers the ``paperlab/`` gymnasium environments (idempotent). Torch-heavy
modules (``networks``, ``dqn``, ``loop``) are imported on demand: ``from paperlab.rl import dqn``.
"""

from paperlab.rl.envs import make_env, register_envs

register_envs()

__all__ = ["make_env", "register_envs"]
