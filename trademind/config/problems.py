"""Turn pydantic validation errors into ``(dotted.key, reason)`` problems people can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
from pydantic_core import ErrorDetails

from trademind.config.schema import UnknownKeyError, describe_key, dotted, unknown_key_reason
from trademind.core.secrets import mask_url_password

Problem = tuple[str, str]

_URL_KEYS = frozenset({"database.url", "cache.redis_url"})
_NO_INPUT_TYPES = frozenset({"missing", "extra_forbidden"})
_FIXED_REASONS: Mapping[str, str] = {
    "missing": "is required",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be a section (a mapping of keys)",
    "model_attributes_type": "must be a section (a mapping of keys)",
    "dict_type": "must be a mapping",
    "path_type": "must be a file system path",
    "time_parsing": "must be a time of day written 'HH:MM'",
}


def _bound_reason(kind: str, ctx: Mapping[str, Any]) -> str | None:
    bounds = {
        "greater_than": ("must be greater than", "gt"),
        "greater_than_equal": ("must be at least", "ge"),
        "less_than": ("must be less than", "lt"),
        "less_than_equal": ("must be at most", "le"),
        "too_short": ("must have at least {} item(s)", "min_length"),
        "too_long": ("must have at most {} item(s)", "max_length"),
        "string_too_short": ("must be at least {} character(s) long", "min_length"),
        "string_too_long": ("must be at most {} character(s) long", "max_length"),
    }
    if kind not in bounds:
        return None
    text, name = bounds[kind]
    limit = ctx.get(name)
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    return text.format(limit) if "{}" in text else f"{text} {limit}"


def _reason(error: ErrorDetails, path: Sequence[object]) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    special = {
        "extra_forbidden": lambda: _unknown_reason(path),
        "literal_error": lambda: f"must be one of {ctx.get('expected')}",
        "string_pattern_mismatch": lambda: f"must match the pattern {ctx.get('pattern')}",
        "value_error": lambda: str(error["msg"]).removeprefix("Value error, "),
    }
    if kind in special:
        return special[kind]()
    bounded = _bound_reason(kind, ctx)
    if bounded is not None:
        return bounded
    if kind in _FIXED_REASONS:
        return _FIXED_REASONS[kind]
    message = str(error["msg"])
    return message.replace("Input should be", "must be").replace("Input", "value")


def _unknown_reason(path: Sequence[object]) -> str:
    parent = tuple(str(part) for part in path[:-1])
    try:
        info = describe_key(parent)
    except UnknownKeyError:
        return "unknown key"
    if info.model is None:
        return "unknown key"
    return unknown_key_reason(info.model, str(path[-1]))


def _is_secret_path(path: Sequence[object]) -> bool:
    try:
        return describe_key(tuple(str(part) for part in path if isinstance(part, str))).is_secret
    except UnknownKeyError:
        return False


def show_input(value: Any, key: str) -> str:
    """How a rejected value is quoted in a reason (URL passwords masked)."""
    if isinstance(value, str):
        if key in _URL_KEYS:
            return repr(mask_url_password(value))
        try:
            float(value)
        except ValueError:
            return repr(value)
        return value
    return repr(value)


def problems_from_validation(error: pydantic.ValidationError) -> list[Problem]:
    """One problem per pydantic error; secret values are never quoted."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        path = tuple(detail["loc"])
        key = dotted(path) or "(root)"
        reason = _reason(detail, path)
        quote_input = detail["type"] not in _NO_INPUT_TYPES and not _is_secret_path(path)
        if quote_input and not isinstance(detail.get("input"), Mapping):
            reason = f"{reason} (got {show_input(detail.get('input'), key)})"
        problems.append((key, reason))
    return problems


def format_problems(
    headline: str, problems: Sequence[Problem], origins: Mapping[str, str] | None = None
) -> str:
    """The ConfigError message, one line: the headline, then ``key: reason [from SOURCE]``
    per problem, separated by ``; ``."""
    parts = []
    for key, reason in problems:
        origin = _origin_of(key, origins or {})
        parts.append(f"{key}: {reason}" + (f" [from {origin}]" if origin else ""))
    count = f"{len(problems)} problems: " if len(problems) > 1 else ""
    return " ".join(f"{headline}: {count}{'; '.join(parts)}".split())


def _origin_of(key: str, origins: Mapping[str, str]) -> str | None:
    """Where ``key`` (or the nearest section above it) was set, if known."""
    parts = key.split(".")
    while parts:
        origin = origins.get(".".join(parts))
        if origin is not None:
            return origin
        parts.pop()
    return None
