"""The in-process cache: TTL expiry on the clock's monotonic time, least-recently-used eviction.

Thread-safe (one lock around the table). Values are kept as JSON text, so every ``get`` returns
a fresh copy and the memory cache behaves exactly like the Redis one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from trademind.cache.codec import check_key, check_ttl, decode_value, encode_value
from trademind.core.clock import Clock, LiveClock


@dataclass(frozen=True, slots=True)
class _Entry:
    expires_at: float
    payload: str


class MemoryCache:
    """A bounded in-memory :class:`~trademind.core.ports.Cache`.

    Entries expire ``ttl`` seconds after they were set, measured on ``clock.monotonic()``.
    Past ``max_entries`` the least recently used entry (by get or set) is evicted.
    ``is_fallback=True`` marks a memory cache standing in for a Redis that failed.
    """

    backend_name = "memory"

    def __init__(
        self,
        default_ttl_seconds: float,
        clock: Clock | None = None,
        max_entries: int = 10_000,
        *,
        is_fallback: bool = False,
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive integer, got {max_entries!r}")
        self._default_ttl = check_ttl(default_ttl_seconds, what="default_ttl_seconds")
        self._clock: Clock = clock or LiveClock()
        self._max_entries = max_entries
        self._is_fallback = is_fallback
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def is_fallback(self) -> bool:
        return self._is_fallback

    @property
    def default_ttl_seconds(self) -> float:
        return self._default_ttl

    def __len__(self) -> int:
        """Entries held, expired ones not yet removed included."""
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> Any | None:
        check_key(key)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self._clock.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            payload = entry.payload
        return decode_value(payload)

    def set(self, key: str, value: Any, ttl_seconds: float | None = None) -> None:
        check_key(key)
        ttl = self._default_ttl if ttl_seconds is None else check_ttl(ttl_seconds)
        payload = encode_value(key, value)
        with self._lock:
            self._entries[key] = _Entry(self._clock.monotonic() + ttl, payload)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> bool:
        check_key(key)
        with self._lock:
            entry = self._entries.pop(key, None)
            return entry is not None and entry.expires_at > self._clock.monotonic()

    def clear(self, prefix: str = "") -> int:
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be str, got {type(prefix).__name__}")
        with self._lock:
            now = self._clock.monotonic()
            doomed = [key for key in self._entries if key.startswith(prefix)]
            live = 0
            for key in doomed:
                if self._entries.pop(key).expires_at > now:
                    live += 1
            return live

    def __repr__(self) -> str:
        role = " (fallback)" if self._is_fallback else ""
        return f"<MemoryCache{role} ttl={self._default_ttl}s max_entries={self._max_entries}>"
