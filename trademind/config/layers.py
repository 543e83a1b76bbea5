"""The layers of the configuration as plain nested data, each with where every key came from.

A file layer drops secrets (they are only read from the environment or ``.env``) and reports
them; an environment layer turns ``TRADEMIND__SECTION__KEY`` variables into nested keys.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from trademind.config.masking import flatten
from trademind.config.models import Settings
from trademind.config.problems import Problem
from trademind.config.schema import (
    ENV_DELIMITER,
    ENV_PREFIX,
    KeyInfo,
    UnknownKeyError,
    describe_key,
    dotted,
    env_var_name,
    is_optional,
    is_structured,
    secret_paths,
    section_model,
)
from trademind.core.secrets import MASK

DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class Layer:
    """One layer: its nested data and, per dotted key, a label saying where it was set."""

    kind: str  # "file", "overlay", ".env" or "env"
    data: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``; nested mappings merge, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _pop_path(data: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = data
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    if not isinstance(node, dict) or path[-1] not in node:
        return False, None
    return True, node.pop(path[-1])


def _null_sections_to_empty(data: dict[str, Any], model: type[BaseModel]) -> None:
    """``safety:`` with every key commented out is ``None``: read it as an empty section."""
    for name, value in list(data.items()):
        field_info = model.model_fields.get(name)
        nested = section_model(field_info) if field_info is not None else None
        if nested is None:
            continue
        if value is None:
            data[name] = {}
        elif isinstance(value, dict):
            _null_sections_to_empty(value, nested)


def secret_in_file_reason(path: tuple[str, ...]) -> str:
    return (
        "is a secret and is never read from configuration files; set the environment variable "
        f"{env_var_name(path)} (in the environment or in .env)"
    )


def file_layer(kind: str, label: str, data: Mapping[str, Any]) -> tuple[Layer, list[Problem]]:
    """A YAML file's data as a layer. Secret keys are removed; a real value is a problem
    (``null`` and the ``**********`` placeholder written by ``config export`` are ignored)."""
    cleaned = copy.deepcopy(dict(data))
    problems: list[Problem] = []
    for path in secret_paths():
        found, value = _pop_path(cleaned, path)
        if found and value is not None and value != MASK:
            problems.append((dotted(path), secret_in_file_reason(path)))
    _null_sections_to_empty(cleaned, Settings)
    origins = dict.fromkeys(flatten(cleaned), label)
    origins.update({key: label for key, _ in problems})
    return Layer(kind, cleaned, origins), problems


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        node = child
    node[path[-1]] = value


def _env_value(info: KeyInfo, raw: str) -> Any:
    if info.field is not None and is_optional(info.field) and not raw.strip():
        return None
    if info.is_section or (info.field is not None and is_structured(info.field)):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            example = "{...}" if info.is_section else '["SPY", "AAPL"]'
            raise ValueError(f"must be written as JSON in the variable, e.g. {example}") from None
    return raw


def env_layer(kind: str, source: str, variables: Mapping[str, str]) -> tuple[Layer, list[Problem]]:
    """``TRADEMIND__SECTION__KEY`` variables (names case-insensitive) as a layer.

    ``source`` prefixes each origin label ("env" or ".env"); the label names the variable,
    never its value. Unknown keys are problems named by their dotted path.
    """
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    for name in sorted(variables):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        label = f"{source} {name}"
        parts = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split(ENV_DELIMITER))
        if not all(parts):
            problems.append((name, "is not of the form TRADEMIND__SECTION__KEY"))
            continue
        try:
            info = describe_key(parts)
            value = _env_value(info, variables[name])
        except UnknownKeyError as exc:
            origins[exc.key] = label
            problems.append((exc.key, exc.reason))
            continue
        except ValueError as exc:
            origins[dotted(parts)] = label
            problems.append((dotted(parts), str(exc)))
            continue
        _set_path(data, parts, value)
        origins[dotted(parts)] = label
        if isinstance(value, Mapping):
            origins.update(dict.fromkeys(flatten(value, dotted(parts) + "."), label))
    return Layer(kind, data, origins), problems
