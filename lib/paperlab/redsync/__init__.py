"""RedSync (Fang et al., 2019): residual gradient compression on a real torch.distributed engine.

Modules: ``selection`` (exact/trimmed top-k, threshold binary search, reuse, DGC sampling), ``memory``
(residual and momentum-correction memories, warm-up), ``codec`` (packing, decompression), ``hook``
(the DDP communication hook), ``reference`` (single-process simulator), ``launcher`` (N local
processes with a watchdog), ``cost`` (alpha-beta model), ``bench``, ``train``, ``data``, ``models``,
``explore``, ``configs`` and ``exercises``.
"""

from paperlab.redsync.codec import SparseMessage, decompress, pack, unpack
from paperlab.redsync.hook import RGCConfig, RGCState, make_optimizer, register, rgc_hook
from paperlab.redsync.launcher import WorkerFailed, WorkerTimeout, launch
from paperlab.redsync.memory import MomentumCorrectionMemory, ResidualMemory, warmup_density
from paperlab.redsync.selection import (
    ExactTopK,
    ReusedThreshold,
    SampledThreshold,
    ThresholdBinarySearch,
    TrimmedTopK,
    num_selected,
)

__all__ = [
    "ExactTopK",
    "MomentumCorrectionMemory",
    "RGCConfig",
    "RGCState",
    "ResidualMemory",
    "ReusedThreshold",
    "SampledThreshold",
    "SparseMessage",
    "ThresholdBinarySearch",
    "TrimmedTopK",
    "WorkerFailed",
    "WorkerTimeout",
    "decompress",
    "launch",
    "make_optimizer",
    "num_selected",
    "pack",
    "register",
    "rgc_hook",
    "unpack",
    "warmup_density",
]
