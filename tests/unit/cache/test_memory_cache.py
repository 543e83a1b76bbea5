"""The in-memory cache: TTL on the clock, LRU eviction, JSON-only values, thread safety."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from trademind.cache import MemoryCache, build_cache
from trademind.core.errors import ConfigError
from trademind.core.ports import Cache
from trademind.testing.clock import TestClock


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def cache(clock: TestClock) -> MemoryCache:
    return MemoryCache(default_ttl_seconds=60, clock=clock, max_entries=100)


def test_round_trip_returns_a_fresh_json_copy(cache: MemoryCache) -> None:
    value = {"symbol": "AAPL", "closes": [1.5, 2.5], "meta": {"ok": True, "n": None}}
    cache.set("quote:AAPL", value)

    got = cache.get("quote:AAPL")
    assert got == value
    got["closes"].append(99)
    assert cache.get("quote:AAPL") == value  # the stored value was not changed


def test_tuples_come_back_as_lists_like_redis(cache: MemoryCache) -> None:
    cache.set("pair", (1, 2))
    assert cache.get("pair") == [1, 2]


def test_missing_key_is_none(cache: MemoryCache) -> None:
    assert cache.get("nothing") is None


def test_explicit_ttl_expires_on_the_clock(cache: MemoryCache, clock: TestClock) -> None:
    cache.set("k", 1, ttl_seconds=5)
    clock.advance(4.999)
    assert cache.get("k") == 1
    clock.advance(0.001)
    assert cache.get("k") is None


def test_default_ttl_applies_when_none_given(cache: MemoryCache, clock: TestClock) -> None:
    cache.set("k", "v")
    clock.advance(59)
    assert cache.get("k") == "v"
    clock.advance(1)
    assert cache.get("k") is None


def test_set_again_renews_the_ttl(cache: MemoryCache, clock: TestClock) -> None:
    cache.set("k", 1, ttl_seconds=10)
    clock.advance(8)
    cache.set("k", 2, ttl_seconds=10)
    clock.advance(8)
    assert cache.get("k") == 2


def test_delete_reports_whether_the_key_was_there(cache: MemoryCache, clock: TestClock) -> None:
    cache.set("k", 1)
    assert cache.delete("k") is True
    assert cache.delete("k") is False
    assert cache.get("k") is None
    cache.set("old", 1, ttl_seconds=1)
    clock.advance(2)
    assert cache.delete("old") is False  # expired counts as absent


def test_clear_by_prefix_removes_only_matching_keys(cache: MemoryCache) -> None:
    for key in ("bars:AAPL", "bars:MSFT", "news:AAPL"):
        cache.set(key, key)

    assert cache.clear("bars:") == 2
    assert cache.get("bars:AAPL") is None
    assert cache.get("news:AAPL") == "news:AAPL"
    assert cache.clear() == 1
    assert len(cache) == 0


def test_clear_does_not_count_expired_entries(cache: MemoryCache, clock: TestClock) -> None:
    cache.set("a", 1, ttl_seconds=1)
    cache.set("b", 1, ttl_seconds=100)
    clock.advance(5)
    assert cache.clear() == 1


def test_least_recently_used_entry_is_evicted(clock: TestClock) -> None:
    cache = MemoryCache(default_ttl_seconds=60, clock=clock, max_entries=3)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    assert cache.get("a") == 1  # "a" is now the most recently used; "b" the least

    cache.set("d", 4)

    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(key) for key in ("a", "c", "d")] == [1, 3, 4]


@pytest.mark.parametrize("value", [Decimal("1.5"), {1, 2}, object(), {"when": b"bytes"}])
def test_non_json_values_are_rejected_at_set(cache: MemoryCache, value: object) -> None:
    with pytest.raises(TypeError, match="'bad' is not JSON-serialisable"):
        cache.set("bad", value)
    assert cache.get("bad") is None


def test_circular_values_are_rejected(cache: MemoryCache) -> None:
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        cache.set("loop", looped)


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan")])
def test_bad_ttl_is_rejected(cache: MemoryCache, ttl: float) -> None:
    with pytest.raises(ValueError, match="positive number of seconds"):
        cache.set("k", 1, ttl_seconds=ttl)


def test_bad_keys_are_rejected(cache: MemoryCache) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        cache.set("", 1)
    with pytest.raises(TypeError, match="keys must be str"):
        cache.get(42)  # type: ignore[arg-type]


def test_bad_construction_is_rejected(clock: TestClock) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(60, clock, max_entries=0)
    with pytest.raises(ValueError, match="default_ttl_seconds"):
        MemoryCache(0, clock)


def test_concurrent_writers_keep_the_bound(clock: TestClock) -> None:
    cache = MemoryCache(default_ttl_seconds=60, clock=clock, max_entries=50)

    def writer(thread_number: int) -> None:
        for i in range(500):
            cache.set(f"t{thread_number}:{i}", i)
            cache.get(f"t{thread_number}:{i // 2}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(cache) == 50


def test_memory_cache_satisfies_the_port(clock: TestClock) -> None:
    cache: Cache = MemoryCache(60, clock)
    assert cache.backend_name == "memory"
    assert cache.is_fallback is False


def test_build_cache_memory(clock: TestClock) -> None:
    cache = build_cache(
        "memory", redis_url=None, key_prefix="tm:", default_ttl_seconds=30, clock=clock
    )
    assert isinstance(cache, MemoryCache)
    cache.set("k", 1)
    clock.advance(30)
    assert cache.get("k") is None


def test_build_cache_rejects_unknown_backend() -> None:
    with pytest.raises(ConfigError, match="unknown cache backend") as info:
        build_cache("memcached", redis_url=None, key_prefix="tm:", default_ttl_seconds=30)  # type: ignore[arg-type]
    assert info.value.problems[0][0] == "cache.backend"


def test_build_cache_redis_needs_a_url() -> None:
    with pytest.raises(ConfigError) as info:
        build_cache("redis", redis_url=None, key_prefix="tm:", default_ttl_seconds=30)
    assert info.value.problems == [("cache.redis_url", "required when cache.backend is 'redis'")]


def test_build_cache_rejects_a_malformed_redis_url() -> None:
    with pytest.raises(ConfigError, match="not a valid Redis URL") as info:
        build_cache("redis", redis_url="http://x:6379", key_prefix="tm:", default_ttl_seconds=30)
    assert info.value.problems[0][0] == "cache.redis_url"
