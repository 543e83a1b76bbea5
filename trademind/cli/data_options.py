"""Checks of `data ingest` options the CLI can make by itself (usage errors, exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from trademind.core.errors import UsageError, ValidationError

if TYPE_CHECKING:
    from trademind.config import Settings


def column_map(columns: str | None, source: str) -> dict[str, str] | None:
    """``--columns`` as a mapping; a usage error (exit 2) when malformed or not for csv."""
    if columns is None:
        return None
    if source != "csv":
        raise typer.BadParameter(
            f"--columns maps CSV column names: it needs --source csv (not {source})",
            param_hint="'--columns'",
        )
    from trademind.core.errors import ValidationError
    from trademind.data.providers.csv_reader import parse_column_spec

    try:
        return parse_column_spec(columns)
    except ValidationError as err:
        raise typer.BadParameter(str(err), param_hint="'--columns'") from None


def check_file_name(path: Path) -> None:
    """A CSV file must be named after its symbol: a usage error (exit 2) when it is not."""
    from trademind.core.errors import ValidationError
    from trademind.data.providers.csv import check_symbol_file_name

    try:
        check_symbol_file_name(path)
    except ValidationError as err:
        raise typer.BadParameter(str(err), param_hint="'--path'") from None


def symbol_list(raw: str | None) -> list[str] | None:
    """``--symbols`` as a list; a malformed symbol is a usage error (exit 2)."""
    if raw is None:
        return None
    names = [part for part in raw.split(",") if part.strip()]
    if not names:  # `--symbols ,` is not "every symbol"
        raise UsageError(f"--symbols {raw!r} names no symbol: give e.g. AAPL,MSFT")
    for name in names:
        checked_symbol(name)
    return names


def interval_or_default(raw: str | None, settings: Settings) -> str:
    """``--interval`` (the configured default when absent); unknown is a usage error."""
    return settings.data.default_timeframe if raw is None else checked_interval(raw)


def checked_interval(raw: str) -> str:
    """A known bar interval; an unknown one is a usage error (exit 2)."""
    from trademind.data.schema import check_timeframe

    return _as_usage_error(check_timeframe, raw)


def _as_usage_error(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except ValidationError as err:
        raise UsageError(str(err)) from None


def checked_symbol(raw: str) -> str:
    """One symbol as the data layer spells it; a malformed one is a usage error (exit 2)."""
    from trademind.data.schema import normalise_symbol

    return _as_usage_error(normalise_symbol, raw)
