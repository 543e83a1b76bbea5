"""What a change to a configuration file changes: command-line values and per-key differences."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trademind.config.documents import parse_value
from trademind.config.masking import flatten
from trademind.config.models import Settings
from trademind.config.schema import KeyInfo, dotted, is_structured, is_textual, secret_paths
from trademind.config.values import ConfigUsageError, typed_value
from trademind.core.errors import ConfigError
from trademind.core.secrets import mask_url_password

_URL_KEYS = frozenset({"database.url", "cache.redis_url"})
_OVERRIDING_LAYERS = ("overlay ", ".env ", "env ")


@dataclass(frozen=True)
class KeyChange:
    """One setting whose file-level value changed; values are JSON text (URL passwords masked)."""

    key: str
    old_value: str
    new_value: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old_value, "new": self.new_value}


def parse_cli_value(info: KeyInfo, raw: str) -> Any:
    """A command-line VALUE read as YAML (``0.03``, ``true``, ``[SPY, QQQ]``), typed as the
    setting is written (see :mod:`trademind.config.values`): ``yes`` for a boolean setting or
    ``1.5`` for a whole-number one is a :class:`ConfigUsageError`. Text settings keep the text
    as typed (``trademind:`` stays a string); ``null`` clears an optional one."""
    quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\""
    field = info.field
    if field is not None and is_textual(field) and not is_structured(field) and not quoted:
        return None if raw.strip() in ("", "null", "~") else raw
    key = dotted(info.path)
    try:
        value = parse_value(raw, key)
    except ConfigError as exc:
        detail = exc.problems[0][1] if exc.problems else str(exc)
        reason = f"cannot read the value as YAML: {detail}"
        raise ConfigUsageError(f"{key}: {reason}", [(key, reason)]) from None
    return typed_value(info, value)


def _file_values(data: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(defaults)
    plain = json.loads(json.dumps(data, default=str))
    values.update({key: value for key, value in flatten(plain).items() if value != {}})
    for path in secret_paths():
        values.pop(dotted(path), None)
    return values


def _as_text(key: str, value: Any) -> str:
    if key in _URL_KEYS and isinstance(value, str):
        value = mask_url_password(value)
    return json.dumps(value, default=str)


def file_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[KeyChange, ...]:
    """Per dotted key, the value a file gives before and after (defaults fill absent keys).

    Secrets never appear: files cannot hold them.
    """
    defaults = flatten(Settings().model_dump(mode="json"))
    before, after = _file_values(old, defaults), _file_values(new, defaults)
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(
        KeyChange(key, _as_text(key, before.get(key)), _as_text(key, after.get(key)))
        for key in keys
        if before.get(key) != after.get(key)
    )


def overriding_sources(
    sources: Mapping[str, str], key_path: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """Keys at or under ``key_path`` whose value comes from a layer above the base file."""
    if not key_path:
        return ()
    prefix = dotted(key_path)
    return tuple(
        (key, source)
        for key, source in sources.items()
        if (key == prefix or key.startswith(prefix + ".")) and source.startswith(_OVERRIDING_LAYERS)
    )
