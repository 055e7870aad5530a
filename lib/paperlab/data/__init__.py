"""Real data behind checksums (see :mod:`paperlab.data.registry`)."""

from paperlab.data.registry import REGISTRY, ChecksumError, DataFile, MissingDataError, locate

__all__ = ["REGISTRY", "ChecksumError", "DataFile", "MissingDataError", "locate"]
