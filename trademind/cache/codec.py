"""Argument checks and the JSON encoding shared by every cache implementation."""

from __future__ import annotations

import json
import math
from typing import Any


def check_key(key: str) -> str:
    """Reject keys that are not non-empty strings."""
    if not isinstance(key, str):
        raise TypeError(f"cache keys must be str, got {type(key).__name__}")
    if not key:
        raise ValueError("cache keys must not be empty")
    return key


def check_ttl(ttl_seconds: float, *, what: str = "ttl_seconds") -> float:
    """Reject a time to live that is not a positive, finite number of seconds."""
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int | float):
        raise TypeError(f"{what} must be a number of seconds, got {type(ttl_seconds).__name__}")
    if not math.isfinite(ttl_seconds) or ttl_seconds <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, got {ttl_seconds}")
    return float(ttl_seconds)


def encode_value(key: str, value: Any) -> str:
    """The JSON text of ``value``; TypeError naming the key if it is not JSON-serialisable."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"cache value for {key!r} is not JSON-serialisable "
            f"({type(value).__name__}): {exc}; store plain JSON types (convert Decimal, "
            "datetime and dataclasses first)"
        ) from exc


def decode_value(payload: str | bytes) -> Any:
    """The value back from its JSON text."""
    return json.loads(payload)
