"""The YAML type a setting is written with: what ``config set`` and ``config import`` store.

Files are read leniently (pydantic turns ``"5"`` into 5), but what TradeMind writes has the
setting's own type: a boolean setting is written ``true``/``false`` (never the text ``yes``),
a whole-number setting an integer (``1.0`` becomes ``1``), a number setting a finite float,
and lists of numbers item by item. Other values (text, choices, times, paths) are written as
given and checked when the whole configuration is validated.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from typing import Any

from trademind.config.schema import KeyInfo, describe_key, dotted, type_args
from trademind.core.errors import ConfigError, UsageError


class ConfigUsageError(ConfigError, UsageError):
    """A key or value the command line can reject by itself (exit code 2)."""


_REASONS = {
    bool: "must be true or false",
    int: "must be a whole number",
    float: "must be a finite number",
}


def _scalar_type(annotation: Any) -> type | None:
    """bool, int or float when that is the one type of ``annotation`` (None aside)."""
    kinds = [arg for arg in type_args(annotation) if arg is not type(None)]
    if len(kinds) == 1 and kinds[0] in _REASONS:
        kind: type = kinds[0]
        return kind
    return None


def _item_type(annotation: Any) -> type | None:
    """The scalar type of the items of a ``list[int]``-like setting."""
    for arg in type_args(annotation):
        if typing.get_origin(arg) is list:
            (item,) = typing.get_args(arg)
            return _scalar_type(item)
    return None


def _convert(kind: type, value: Any) -> Any:
    """``value`` as ``kind``, or raise ValueError with the reason."""
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif isinstance(value, bool) or not isinstance(value, int | float):
        pass
    elif kind is int:
        if isinstance(value, int) or (math.isfinite(value) and value.is_integer()):
            return int(value)
    elif math.isfinite(value):
        return float(value)
    raise ValueError(_REASONS[kind])


def typed_value(info: KeyInfo, value: Any) -> Any:
    """``value`` (plain data) as the setting ``info`` is written; a section's mapping key by key.

    Raises :class:`ConfigUsageError` naming the key and the rejected value."""
    key = dotted(info.path)
    if info.is_section:
        if not isinstance(value, Mapping):
            return value  # validation says "must be a section"
        return {name: typed_value(_child(info, str(name)), item) for name, item in value.items()}
    if info.field is None or value is None:
        return value
    try:
        kind = _scalar_type(info.field.annotation)
        if kind is not None:
            return _convert(kind, value)
        item_kind = _item_type(info.field.annotation)
        if item_kind is not None and isinstance(value, list):
            return [_convert(item_kind, item) for item in value]
    except ValueError as exc:
        reason = f"{exc} (got {value!r})"
        raise ConfigUsageError(f"{key}: {reason}", [(key, reason)]) from None
    return value


def _child(info: KeyInfo, name: str) -> KeyInfo:
    try:
        return describe_key((*info.path, name))
    except LookupError:
        return KeyInfo((*info.path, name), None, None)  # unknown: validation names it
