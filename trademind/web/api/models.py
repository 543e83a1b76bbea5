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


class FieldProblem(BaseModel):
    """One invalid part of a request: ``where`` is its location (``query.limit``,
    ``body.reason``), ``problem`` what is wrong with it."""

    where: str
    problem: str


class ErrorAnswer(BaseModel):
    """Every error answer: one line, or (422) the list of invalid request parts."""

    detail: str | list[FieldProblem]


def error_answer(description: str) -> dict[str, Any]:
    return {"model": ErrorAnswer, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_answer(
        "Bad input the service refused (unknown account, trade or strategy; bad value)"
    ),
    401: error_answer("No valid token or session (header WWW-Authenticate: Bearer)"),
    403: error_answer("CSRF token missing or invalid (a write without a Bearer token)"),
    413: error_answer("Request body larger than 1,000,000 bytes"),
    422: error_answer("The request does not match this operation's parameters or body"),
    500: error_answer("Unexpected error (logged with its traceback; the answer says only this)"),
}
"""The errors any API operation may answer (docs/api.md, "Errors")."""
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: error_answer(
        "Not allowed in the current trading state (e.g. a reset of an active account)"
    )
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: error_answer("Nothing of what was asked for is stored (the message says how to get it)")
}
