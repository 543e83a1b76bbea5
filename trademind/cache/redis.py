"""The Redis cache: same interface as the memory cache, keys under a prefix, JSON values.

Redis is optional and only ever a cache. When a Redis call fails at runtime the cache logs one
warning and serves the rest of the process from an in-memory fallback (``backend_name`` becomes
``"memory"`` and ``is_fallback`` True). It does not switch back: values written to memory during
an outage would otherwise be shadowed by stale ones in Redis. Restart to use Redis again.

The URL's password is never logged: messages show :func:`trademind.core.secrets.mask_url_password`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from trademind.cache.codec import check_key, check_ttl, decode_value, encode_value
from trademind.cache.memory import MemoryCache
from trademind.core.clock import Clock
from trademind.core.secrets import mask_url_password, scrub, url_password

T = TypeVar("T")

DEFAULT_SOCKET_TIMEOUT = 0.5
_SCAN_BATCH = 500
_GLOB_SPECIALS = frozenset("*?[]\\")


def describe_error(exc: BaseException, url: str) -> str:
    """A one-line reason for ``exc`` that never contains the URL's password."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return scrub(text, [url_password(url) or ""])


def make_redis_client(url: str, socket_timeout: float = DEFAULT_SOCKET_TIMEOUT) -> redis.Redis:
    """A sync client with short timeouts and one immediate retry, so an outage costs little."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=socket_timeout,
        socket_timeout=socket_timeout,
        retry=Retry(NoBackoff(), 1),
    )


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in _GLOB_SPECIALS else char for char in text)


class RedisCache:
    """A :class:`~trademind.core.ports.Cache` on Redis, every key under ``key_prefix``.

    ``client`` replaces the client built from ``url`` (tests pass one for a dead port).
    ``clock`` and ``fallback_max_entries`` configure the memory fallback; Redis does the expiry.
    """

    def __init__(
        self,
        url: str,
        key_prefix: str,
        default_ttl_seconds: float,
        *,
        client: redis.Redis | None = None,
        clock: Clock | None = None,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT,
        logger: logging.Logger | None = None,
        fallback_max_entries: int = 10_000,
    ) -> None:
        if not key_prefix:
            raise ValueError("RedisCache needs a non-empty key_prefix (clear() works under it)")
        self._url = url
        self._prefix = key_prefix
        self._default_ttl = check_ttl(default_ttl_seconds, what="default_ttl_seconds")
        self._client = client if client is not None else make_redis_client(url, socket_timeout)
        self._clock = clock
        self._logger = logger or logging.getLogger(__name__)
        self._fallback_max_entries = fallback_max_entries
        self._fallback: MemoryCache | None = None
        self._lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        return "redis" if self._fallback is None else self._fallback.backend_name

    @property
    def is_fallback(self) -> bool:
        return self._fallback is not None

    @property
    def key_prefix(self) -> str:
        return self._prefix

    @property
    def safe_url(self) -> str:
        return mask_url_password(self._url)

    def get(self, key: str) -> Any | None:
        full_key = self._prefix + check_key(key)
        return self._call(lambda client: self._decode(client.get(full_key)), lambda m: m.get(key))

    def set(self, key: str, value: Any, ttl_seconds: float | None = None) -> None:
        full_key = self._prefix + check_key(key)
        ttl = self._default_ttl if ttl_seconds is None else check_ttl(ttl_seconds)
        payload = encode_value(key, value)
        milliseconds = max(1, round(ttl * 1000))
        self._call(
            lambda client: client.set(full_key, payload, px=milliseconds),
            lambda memory: memory.set(key, value, ttl),
        )

    def delete(self, key: str) -> bool:
        full_key = self._prefix + check_key(key)
        return self._call(
            lambda client: int(client.delete(full_key)) > 0, lambda memory: memory.delete(key)
        )

    def clear(self, prefix: str = "") -> int:
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be str, got {type(prefix).__name__}")
        pattern = _glob_escape(self._prefix + prefix) + "*"
        return self._call(
            lambda client: self._delete_matching(client, pattern), lambda m: m.clear(prefix)
        )

    def close(self) -> None:
        """Release the client's connections."""
        self._client.close()

    def _call(
        self, on_redis: Callable[[redis.Redis], T], on_memory: Callable[[MemoryCache], T]
    ) -> T:
        memory = self._fallback
        if memory is None:
            try:
                return on_redis(self._client)
            except redis.RedisError as exc:
                memory = self._switch_to_fallback(exc)
        return on_memory(memory)

    def _switch_to_fallback(self, exc: redis.RedisError) -> MemoryCache:
        with self._lock:
            if self._fallback is None:
                self._logger.warning(
                    "Redis at %s failed (%s); continuing on the in-memory cache (fallback) "
                    "for the rest of this process",
                    self.safe_url,
                    describe_error(exc, self._url),
                )
                self._fallback = MemoryCache(
                    self._default_ttl, self._clock, self._fallback_max_entries, is_fallback=True
                )
                self._client.close()
            return self._fallback

    def _decode(self, raw: Any) -> Any | None:
        if raw is None:
            return None
        try:
            return decode_value(raw)
        except ValueError:
            self._logger.debug("ignoring a cache entry that is not JSON under %s", self._prefix)
            return None

    @staticmethod
    def _delete_matching(client: redis.Redis, pattern: str) -> int:
        removed = 0
        batch: list[Any] = []
        for key in client.scan_iter(match=pattern, count=_SCAN_BATCH):
            batch.append(key)
            if len(batch) >= _SCAN_BATCH:
                removed += int(client.delete(*batch))
                batch.clear()
        if batch:
            removed += int(client.delete(*batch))
        return removed

    def __repr__(self) -> str:
        role = " (fallen back to memory)" if self.is_fallback else ""
        return f"<RedisCache {self.safe_url} prefix={self._prefix!r}{role}>"
