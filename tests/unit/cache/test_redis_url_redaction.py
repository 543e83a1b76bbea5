"""Redis URLs and error texts never show the password."""

from __future__ import annotations

import pytest

from trademind.cache.redis import RedisCache, describe_error, redact_url, url_password


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@cache.local:6379/1", "redis://:**********@cache.local:6379/1"),
        ("rediss://app:s3cret@cache.local/0", "rediss://app:**********@cache.local/0"),
        ("redis://app@cache.local/0", "redis://app@cache.local/0"),
        (
            "redis://cache.local/0?password=s3cret&db=2",
            "redis://cache.local/0?password=**********&db=2",
        ),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "s3cret" not in redact_url(url)


def test_url_password_finds_either_form() -> None:
    assert url_password("redis://:pw1@h/0") == "pw1"
    assert url_password("redis://h/0?password=pw2") == "pw2"
    assert url_password("redis://h/0") is None


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
