"""paperlab: ten research papers explained, implemented and reproduced in notebooks.

Importing ``paperlab`` is cheap on purpose: it imports neither torch nor torch_geometric.
Shared machinery lives in :mod:`paperlab.core`; each paper has its own subpackage.
"""

import time as _time

__version__ = "0.1.0"

#: When this process first imported paperlab (a notebook's setup cell): result files report wall time from here.
IMPORTED_AT_WALL: float = _time.time()

PAPERS: tuple[str, ...] = (
    "recyclegpt",
    "jtft",
    "hidam",
    "admrl",
    "drdrl",
    "namsg",
    "swtvm",
    "swcaffe",
    "redsync",
    "emdqn",
)
