"""Redis error texts and the cache's own description never show the password.

URL masking itself is tested in tests/unit/core/test_secrets.py."""

from __future__ import annotations

import pytest

from trademind.cache.redis import RedisCache, describe_error


def test_describe_error_scrubs_the_password() -> None:
    error = RuntimeError("AUTH failed for s3cret at host\nsecond line")
    assert describe_error(error, "redis://:s3cret@h/0") == "AUTH failed for ********** at host"


def test_redis_cache_requires_a_key_prefix() -> None:
    with pytest.raises(ValueError, match="non-empty key_prefix"):
        RedisCache("redis://127.0.0.1:1/0", "", 60)


def test_redis_cache_repr_hides_the_password() -> None:
    cache = RedisCache("redis://:s3cret@127.0.0.1:1/0", "tm:", 60)
    try:
        assert "s3cret" not in repr(cache)
        assert "s3cret" not in cache.safe_url
    finally:
        cache.close()
