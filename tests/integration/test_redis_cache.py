"""The Redis cache against the real Redis on 127.0.0.1, and its fallbacks to memory."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis

from trademind.cache import MemoryCache, build_cache
from trademind.cache.redis import RedisCache, make_redis_client
from trademind.testing.clock import TestClock

pytestmark = pytest.mark.redis

DEAD_URL = "redis://:hunter2-secret@127.0.0.1:1/0"


@pytest.fixture
def raw_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def cache(redis_url: str, redis_key_prefix: str) -> Iterator[RedisCache]:
    built = RedisCache(redis_url, redis_key_prefix, default_ttl_seconds=120)
    yield built
    built.close()


def test_round_trip(cache: RedisCache, raw_client: redis.Redis, redis_key_prefix: str) -> None:
    value = {"symbol": "MSFT", "closes": [410.5, 411.25], "halted": False, "note": None}
    cache.set("quote:MSFT", value)

    assert cache.get("quote:MSFT") == value
    assert cache.get("quote:NOPE") is None
    assert raw_client.exists(f"{redis_key_prefix}quote:MSFT") == 1  # stored under the prefix
    assert cache.backend_name == "redis"
    assert cache.is_fallback is False


def test_ttl_is_set_on_the_key(
    cache: RedisCache, raw_client: redis.Redis, redis_key_prefix: str
) -> None:
    cache.set("short", 1, ttl_seconds=30)
    cache.set("default", 2)

    short_ttl = raw_client.pttl(f"{redis_key_prefix}short")
    default_ttl = raw_client.ttl(f"{redis_key_prefix}default")
    assert 29_000 < short_ttl <= 30_000
    assert 118 <= default_ttl <= 120


def test_delete(cache: RedisCache) -> None:
    cache.set("k", [1, 2])
    assert cache.delete("k") is True
    assert cache.delete("k") is False
    assert cache.get("k") is None


def test_clear_stays_under_the_prefix(
    cache: RedisCache, raw_client: redis.Redis, redis_key_prefix: str
) -> None:
    outsider = f"{redis_key_prefix.rstrip(':')}-outside:keep"
    raw_client.set(outsider, "survives", ex=60)
    try:
        for key in ("bars:AAPL", "bars:MSFT", "news:AAPL", "bars*literal"):
            cache.set(key, key)

        assert cache.clear("bars:") == 2
        assert cache.get("news:AAPL") == "news:AAPL"
        assert cache.get("bars*literal") == "bars*literal"  # glob characters are escaped
        assert cache.clear() == 2
        assert raw_client.get(outsider) == b"survives"
    finally:
        raw_client.delete(outsider)


def test_clear_handles_more_keys_than_one_scan_batch(cache: RedisCache) -> None:
    for i in range(1_200):
        cache.set(f"many:{i}", i)
    assert cache.clear("many:") == 1_200
    assert cache.get("many:7") is None


def test_non_json_value_rejected_like_memory(cache: RedisCache) -> None:
    with pytest.raises(TypeError, match="'bad' is not JSON-serialisable"):
        cache.set("bad", {1, 2})


def test_build_cache_redis_uses_redis(redis_url: str, redis_key_prefix: str) -> None:
    cache = build_cache(
        "redis", redis_url=redis_url, key_prefix=redis_key_prefix, default_ttl_seconds=60
    )
    assert isinstance(cache, RedisCache)
    cache.set("via-factory", {"ok": True})
    assert cache.get("via-factory") == {"ok": True}
    cache.close()


def test_build_cache_unreachable_redis_warns_once_and_uses_memory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = TestClock()
    with caplog.at_level(logging.WARNING):
        cache = build_cache(
            "redis", redis_url=DEAD_URL, key_prefix="tm:", default_ttl_seconds=10, clock=clock
        )
        cache.set("k", "v")
        assert cache.get("k") == "v"
        cache.delete("k")

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert message.startswith("Redis at redis://:**********@127.0.0.1:1/0 unreachable (")
    assert message.endswith("); using the in-memory cache instead")
    assert "hunter2-secret" not in caplog.text
    assert isinstance(cache, MemoryCache)
    assert cache.backend_name == "memory"
    assert cache.is_fallback is True
    cache.set("t", 1)
    clock.advance(10)
    assert cache.get("t") is None  # the fallback keeps the configured TTL and clock


def test_runtime_failure_warns_once_and_continues_in_memory(
    redis_url: str, redis_key_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    dead_client = make_redis_client(DEAD_URL)
    cache = RedisCache(DEAD_URL, redis_key_prefix, default_ttl_seconds=60, client=dead_client)
    assert cache.backend_name == "redis"

    with caplog.at_level(logging.WARNING):
        cache.set("k", {"v": 1})
        assert cache.get("k") == {"v": 1}
        assert cache.delete("k") is True
        cache.set("a:1", 1)
        assert cache.clear("a:") == 1

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "Redis at redis://:**********@127.0.0.1:1/0 failed" in message
    assert "in-memory cache (fallback)" in message
    assert "hunter2-secret" not in caplog.text
    assert cache.backend_name == "memory"
    assert cache.is_fallback is True


def test_failure_after_working_switches_to_memory(
    redis_url: str, redis_key_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_redis_client(redis_url)
    cache = RedisCache(redis_url, redis_key_prefix, default_ttl_seconds=60, client=client)
    cache.set("before", 1)
    assert cache.get("before") == 1
    # Break the live client: point its pool at a dead port, as if Redis went away.
    client.connection_pool.reset()
    client.connection_pool.connection_kwargs["port"] = 1

    with caplog.at_level(logging.WARNING):
        assert cache.get("before") is None  # memory fallback starts empty
        cache.set("after", 2)
        assert cache.get("after") == 2

    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert cache.is_fallback is True
