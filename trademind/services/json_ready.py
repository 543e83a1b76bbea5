"""Typed service results as JSON-ready data: one helper for every ``--format json`` and the API.

Services return frozen dataclasses; :func:`to_json` turns one (or a sequence of them) into
plain dicts, lists, strings and numbers for ``json.dumps``. Fields keep their declared order
and names; tuples become lists, datetimes ISO 8601 texts, paths strings. A result whose JSON
shape is not its fields one to one (a key named after the chosen metric, a key left out when
unset) defines ``to_json(self)`` and builds on :func:`json_fields`; :func:`to_json` calls it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


def to_json(value: object) -> Any:
    """``value`` as JSON-ready data (see the module docstring)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        custom = getattr(value, "to_json", None)
        return custom() if callable(custom) else json_fields(value)
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return value


def json_fields(result: object) -> dict[str, Any]:
    """Every field of the dataclass instance ``result``, by name in declared order, as JSON."""
    return {
        item.name: to_json(getattr(result, item.name))
        for item in dataclasses.fields(result)  # type: ignore[arg-type]
    }
