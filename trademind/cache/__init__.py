"""Cache implementations behind :class:`trademind.core.ports.Cache`.

``MemoryCache`` is the default; ``RedisCache`` (in :mod:`trademind.cache.redis`) is used when
configured and reachable. ``build_cache`` picks one and falls back to memory with one warning.
"""

from trademind.cache.factory import CacheBackend, build_cache
from trademind.cache.memory import MemoryCache

__all__ = ["CacheBackend", "MemoryCache", "build_cache"]
