"""Response models of the API results whose JSON is their ``to_json`` (the same documents
``--format json`` prints), so the OpenAPI schema says exactly what is sent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Param(BaseModel):
    name: str
    type: str
    minimum: float | None
    maximum: float | None
    choices: list[str]
    default: Any
    value: Any
    description: str


class Strategy(BaseModel):
    name: str
    enabled: bool
    description: str
    params: list[Param]


class KeyChange(BaseModel):
    key: str
    old: str
    new: str


class Overridden(BaseModel):
    key: str
    by: str


class FileChange(BaseModel):
    """What a write did to the configuration file (``written`` false: it already said so)."""

    file: str
    created: bool
    written: bool
    changes: list[KeyChange]
    overridden: list[Overridden]


class StrategyChange(FileChange):
    strategy: dict[str, Any]


class SafetyChange(FileChange):
    settings: dict[str, Any]


class Problem(BaseModel):
    key: str
    reason: str


class Validation(BaseModel):
    valid: bool
    config: str
    problems: list[Problem]
