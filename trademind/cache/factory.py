"""Build the configured cache; an unreachable Redis falls back to memory with one warning."""

from __future__ import annotations

import logging
from typing import Literal

from trademind.cache.memory import MemoryCache
from trademind.core.clock import Clock
from trademind.core.errors import ConfigError
from trademind.core.ports import Cache
from trademind.core.secrets import mask_url_password

CacheBackend = Literal["memory", "redis"]


def build_cache(
    backend: CacheBackend,
    *,
    redis_url: str | None,
    key_prefix: str,
    default_ttl_seconds: float,
    clock: Clock | None = None,
    max_entries: int = 10_000,
    logger: logging.Logger | None = None,
) -> Cache:
    """The cache for ``backend``.

    For ``"redis"`` the server is PINGed now. If it does not answer, one warning is logged and a
    :class:`MemoryCache` flagged ``is_fallback`` is returned. A malformed URL is a ConfigError.
    """
    log = logger or logging.getLogger("trademind.cache")
    if backend == "memory":
        return MemoryCache(default_ttl_seconds, clock, max_entries)
    if backend != "redis":
        raise ConfigError(
            f"unknown cache backend {backend!r} (use 'memory' or 'redis')",
            problems=[("cache.backend", f"must be 'memory' or 'redis', got {backend!r}")],
        )
    if not redis_url:
        raise ConfigError(
            "cache.backend is 'redis' but no Redis URL is configured",
            problems=[("cache.redis_url", "required when cache.backend is 'redis'")],
        )
    return _build_redis_cache(
        redis_url,
        key_prefix=key_prefix,
        default_ttl_seconds=default_ttl_seconds,
        clock=clock,
        max_entries=max_entries,
        log=log,
    )


def _build_redis_cache(
    url: str,
    *,
    key_prefix: str,
    default_ttl_seconds: float,
    clock: Clock | None,
    max_entries: int,
    log: logging.Logger,
) -> Cache:
    import redis  # only a Redis configuration needs the client library

    from trademind.cache.redis import (
        RedisCache,
        describe_error,
        make_redis_client,
    )

    try:
        client = make_redis_client(url)
    except ValueError as exc:
        reason = describe_error(exc, url)
        raise ConfigError(
            f"cache.redis_url is not a valid Redis URL: {reason}",
            problems=[("cache.redis_url", reason)],
        ) from exc
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        log.warning(
            "Redis at %s unreachable (%s); using the in-memory cache instead",
            mask_url_password(url),
            describe_error(exc, url),
        )
        return MemoryCache(default_ttl_seconds, clock, max_entries, is_fallback=True)
    return RedisCache(
        url,
        key_prefix,
        default_ttl_seconds,
        client=client,
        clock=clock,
        logger=log,
        fallback_max_entries=max_entries,
    )
