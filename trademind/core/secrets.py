"""Keeping secrets out of output: the one mask, and passwords inside URLs.

Every place that shows a URL (database, Redis) or a secret setting uses these, so a secret
looks the same everywhere: ``**********``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "**********"


def url_password(url: str) -> str | None:
    """The password in ``url`` (userinfo, or a ``password=`` query item), if any."""
    try:
        parts = urlsplit(url)
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.lower() == "password" and value:
                return value
        return parts.password or None
    except ValueError:
        return None


def mask_url_password(url: str) -> str:
    """``url`` with any password (userinfo or ``password=`` query item) shown as the mask."""
    try:
        parts = urlsplit(url)
        has_userinfo_password = parts.password is not None
    except ValueError:
        return url
    items = parse_qsl(parts.query, keep_blank_values=True)
    has_query_password = any(name.lower() == "password" for name, _ in items)
    if not (has_userinfo_password or has_query_password):
        return url  # unchanged (urlunsplit would also rewrite sqlite:///x as sqlite:/x)
    netloc = parts.netloc
    if has_userinfo_password:
        userinfo, _, hostinfo = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostinfo}"
    if has_query_password:
        query = "&".join(
            f"{quote(name)}={MASK if name.lower() == 'password' else quote(value)}"
            for name, value in items
        )
        parts = parts._replace(query=query)
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by the mask."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
