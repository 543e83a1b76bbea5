"""Checks of `data ingest` options the CLI can make by itself (usage errors, exit 2)."""

from __future__ import annotations

from pathlib import Path

import typer


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
