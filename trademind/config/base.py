"""Building blocks shared by every settings section: the strict base model and common types."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)


class Section(BaseModel):
    """A settings section: unknown keys are rejected and values cannot be changed in place."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            "unknown time zone (use an IANA name such as 'America/New_York')"
        ) from None
    return name


TimezoneName = Annotated[str, AfterValidator(_check_timezone)]
"""An IANA time zone name, checked against the system's zoneinfo database."""

_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


def _parse_time_of_day(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _TIME_OF_DAY.match(value.strip()):
        raise ValueError("must be a time of day written 'HH:MM' (quote it in YAML)")
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


TimeOfDay = Annotated[
    time,
    BeforeValidator(_parse_time_of_day),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
]
"""A wall-clock time written ``"HH:MM"`` in files and shown the same way."""

_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-]{0,14}$")


def _check_symbol(value: str) -> str:
    symbol = value.strip().upper()
    if not _SYMBOL.match(symbol):
        raise ValueError("is not a ticker symbol (letters, digits, '.' and '-')")
    return symbol


Symbol = Annotated[str, AfterValidator(_check_symbol)]
"""A US equity ticker, upper-cased (``brk.b`` becomes ``BRK.B``)."""


def _check_unique(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return sorted(values)


Periods = Annotated[list[Annotated[int, Field(ge=2, le=1000)]], AfterValidator(_check_unique)]
"""Look-back lengths in bars (2..1000 each, no repeats), kept sorted."""
