"""The one mask and URL password handling shared by config, database and cache."""

from __future__ import annotations

import pytest

from trademind.core.secrets import MASK, mask_url_password, scrub, url_password


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:////var/lib/tm/trademind.db", "sqlite:////var/lib/tm/trademind.db"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("postgresql+psycopg://trader@db:5432/tm", "postgresql+psycopg://trader@db:5432/tm"),
        (
            "postgresql+psycopg://trader:hunter2@db:5432/tm",
            f"postgresql+psycopg://trader:{MASK}@db:5432/tm",
        ),
        ("redis://:hunter2@cache:6379/0", f"redis://:{MASK}@cache:6379/0"),
        ("rediss://app:hunter2@cache/0", f"rediss://app:{MASK}@cache/0"),
        ("redis://app@cache/0", "redis://app@cache/0"),
        ("redis://cache/0?password=hunter2&db=2", f"redis://cache/0?password={MASK}&db=2"),
    ],
)
def test_mask_url_password(url: str, shown: str) -> None:
    assert mask_url_password(url) == shown
    assert "hunter2" not in mask_url_password(url)


def test_url_password_finds_userinfo_and_query_passwords() -> None:
    assert url_password("postgresql://u:pw1@h/d") == "pw1"
    assert url_password("redis://h/0?password=pw2") == "pw2"
    assert url_password("redis://h/0") is None
    assert url_password("not a url at all") is None


def test_scrub_replaces_every_secret_and_ignores_empty_ones() -> None:
    assert scrub("key sk-1 and sk-2", ["sk-1", "", "sk-2"]) == f"key {MASK} and {MASK}"
