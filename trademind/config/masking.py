"""Settings as plain data that is safe to print: secrets and URL passwords masked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trademind.core.secrets import MASK, mask_url_password

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic is imported by the functions that take models: `config get` answered from the
# settings snapshot prints with flatten/display_value and imports no pydantic.

_URL_FIELDS = (("database", "url"), ("cache", "redis_url"))

MAPPING_SETTINGS = frozenset({"orchestrator.portfolio.targets", "news.symbol_feeds", "ab.variants"})
"""The settings whose value is a mapping (symbol: weight, symbol: feeds, variant: overlay): each
is one setting, shown, compared and set whole, never split into ``<setting>.<KEY>`` keys. A
test checks this list against the settings' schema."""


def masked_dict(settings: BaseModel) -> dict[str, Any]:
    """Nested plain data (JSON types) of ``settings``; a set secret becomes ``**********``,
    a password inside a URL too. Unset secrets stay ``None``."""
    data = settings.model_dump(mode="json")
    for section, key in _URL_FIELDS:
        value = data.get(section, {}).get(key)
        if isinstance(value, str):
            data[section][key] = mask_url_password(value)
    return _mask_secret_strings(settings, data)


def _mask_secret_strings(model: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    from pydantic import BaseModel, SecretStr

    # model_dump(mode="json") already prints SecretStr as asterisks; enforce our one mask.
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = MASK
        elif isinstance(value, BaseModel) and isinstance(data.get(name), dict):
            _mask_secret_strings(value, data[name])
    return data


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists and :data:`MAPPING_SETTINGS` stay values
    (``prefix`` is the dotted path of ``data`` with its trailing dot, "" for the root)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted_key = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and dotted_key not in MAPPING_SETTINGS:
            flat.update(flatten(value, dotted_key + "."))
        else:
            flat[dotted_key] = value
    return flat


def display_value(value: Any) -> str:
    """One-line text of a plain value for tables and logs (null for unset)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def changed_keys(old: BaseModel, new: BaseModel) -> list[str]:
    """Dotted keys whose value differs (secrets compared by value, reported by name only)."""
    old_flat, new_flat = flatten(_comparable(old)), flatten(_comparable(new))
    keys = list(dict.fromkeys([*old_flat, *new_flat]))
    return [key for key in keys if old_flat.get(key) != new_flat.get(key)]


def _comparable(model: BaseModel) -> dict[str, Any]:
    from pydantic import BaseModel, SecretStr

    result: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            result[name] = _comparable(value)
        elif isinstance(value, SecretStr):
            result[name] = ("secret", value.get_secret_value())
        else:
            result[name] = value
    return result
