"""NAMSG / ARSG (Chen et al., arXiv 1905.01422): an adaptive optimizer with a remote gradient observation.

Modules: ``optim`` (the optimizer), ``theory`` (Theorem 1 closed forms), ``reference`` (numpy references),
``schedules`` (the observation boost), ``bench`` (comparison runners), ``explore`` (explorer logic),
``data`` (digits), ``configs`` (budgets), ``exercises``.
"""

from paperlab.namsg import theory
from paperlab.namsg.optim import NAMSG, NAdamStyle, namsg
from paperlab.namsg.schedules import ObservationBoost

__all__ = ["NAMSG", "NAdamStyle", "ObservationBoost", "namsg", "theory"]
