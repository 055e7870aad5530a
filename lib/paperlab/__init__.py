"""paperlab: ten research papers explained, implemented and reproduced in notebooks.

Importing ``paperlab`` is cheap on purpose: it imports neither torch nor torch_geometric.
Shared machinery lives in :mod:`paperlab.core`; each paper has its own subpackage.
"""

__version__ = "0.1.0"

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
