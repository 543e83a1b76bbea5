"""Questions about the shape of :class:`Settings`: which keys exist, which are secrets, which
take lists. Used to read environment variables, reject secrets in files and describe keys."""

from __future__ import annotations

import datetime
import difflib
import pathlib
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from trademind.config.models import Settings

ENV_PREFIX = "TRADEMIND__"
ENV_DELIMITER = "__"

KeyPath = tuple[str, ...]


def dotted(path: Sequence[object]) -> str:
    return ".".join(str(part) for part in path)


def env_var_name(path: Sequence[str]) -> str:
    """``("llm", "api_key")`` -> ``TRADEMIND__LLM__API_KEY``."""
    return ENV_PREFIX + ENV_DELIMITER.join(part.upper() for part in path)


def type_args(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_args(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return tuple(arg for member in typing.get_args(annotation) for arg in type_args(member))
    return (annotation,)


def section_model(field: FieldInfo) -> type[BaseModel] | None:
    """The nested model of a section field (``safety.circuit_breaker``), else None."""
    for arg in type_args(field.annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def is_secret(field: FieldInfo) -> bool:
    return any(arg is SecretStr for arg in type_args(field.annotation))


def is_optional(field: FieldInfo) -> bool:
    return any(arg is type(None) for arg in type_args(field.annotation))


def is_structured(field: FieldInfo) -> bool:
    """True when the value is a list, mapping or section (written as JSON in env vars)."""
    if section_model(field) is not None:
        return True
    return any(
        typing.get_origin(arg) in (list, dict, set, tuple) or arg in (list, dict, set, tuple)
        for arg in type_args(field.annotation)
    )


@dataclass(frozen=True)
class KeyInfo:
    """What a dotted key names: a section (``model``) or a single setting (``field``)."""

    path: KeyPath
    field: FieldInfo | None
    model: type[BaseModel] | None

    @property
    def is_section(self) -> bool:
        return self.model is not None

    @property
    def is_secret(self) -> bool:
        return self.field is not None and is_secret(self.field)


class UnknownKeyError(LookupError):
    """A dotted key that names nothing; ``reason`` says which part and suggests a fix."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def unknown_key_reason(model: type[BaseModel], name: str) -> str:
    close = difflib.get_close_matches(name, list(model.model_fields), n=1)
    return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")


def describe_key(path: Sequence[str], root: type[BaseModel] = Settings) -> KeyInfo:
    """Resolve a key path to the section or setting it names, or raise UnknownKeyError."""
    model: type[BaseModel] | None = root
    field: FieldInfo | None = None
    for depth, name in enumerate(path):
        if model is None:
            parent = dotted(path[:depth])
            raise UnknownKeyError(dotted(path), f"{parent} is a single setting, not a section")
        if name not in model.model_fields:
            raise UnknownKeyError(dotted(path[: depth + 1]), unknown_key_reason(model, name))
        field = model.model_fields[name]
        model = section_model(field)
    return KeyInfo(tuple(path), field, model)


def parse_key(key: str) -> KeyPath:
    """Split a dotted key; empty parts are an error."""
    parts = tuple(part.strip() for part in key.split("."))
    if not key.strip() or any(not part for part in parts):
        raise UnknownKeyError(key, "is not a dotted key such as safety.daily_loss_limit")
    return parts


def iter_leaves(model: type[BaseModel] = Settings, prefix: KeyPath = ()) -> Iterator[KeyInfo]:
    """Every single setting (not sections), depth first in declaration order."""
    for name, field in model.model_fields.items():
        nested = section_model(field)
        if nested is not None:
            yield from iter_leaves(nested, (*prefix, name))
        else:
            yield KeyInfo((*prefix, name), field, None)


def secret_paths() -> list[KeyPath]:
    return [leaf.path for leaf in iter_leaves() if leaf.is_secret]


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _literal_choices(annotation: Any) -> list[object]:
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return [choice for arg in typing.get_args(annotation) for choice in _literal_choices(arg)]


def allowed_values(field: FieldInfo) -> str:
    """What a setting accepts, in words: ``one of: paper, ibkr`` or ``> 0 and <= 1``."""
    choices = _literal_choices(field.annotation)
    if choices:
        return "one of: " + ", ".join(str(choice) for choice in choices)
    symbols = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    bounds = [
        f"{symbol} {_number(getattr(item, name))}"
        for item in field.metadata
        for name, symbol in symbols.items()
        if getattr(item, name, None) is not None
    ]
    return " and ".join(bounds)


def is_textual(field: FieldInfo) -> bool:
    """True when the setting is written as text (names, URLs, paths, times, choices of words)."""
    textual = (str, SecretStr, pathlib.PurePath, datetime.time)
    for arg in type_args(field.annotation):
        if typing.get_origin(arg) is typing.Literal:
            if all(isinstance(choice, str) for choice in typing.get_args(arg)):
                return True
        elif isinstance(arg, type) and issubclass(arg, textual):
            return True
    return False
