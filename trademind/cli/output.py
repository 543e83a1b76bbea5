"""Output helpers: Rich tables for people, JSON for scripts, one-line messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from trademind.cli.context import CliState

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (dates and paths as strings); nothing else on stdout."""
    print(json.dumps(data, indent=2, default=str, sort_keys=False))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    stdout.print(table)


def print_message(text: str) -> None:
    """A human message on stdout (plain, Rich markup disabled)."""
    stdout.print(text, markup=False, highlight=False)


def emit(
    state: CliState,
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    rows: Iterable[Sequence[Any]] | None = None,
    title: str | None = None,
    message: str | None = None,
) -> None:
    """Print ``data`` as JSON with ``--format json``, else a table (or a message)."""
    if state.json:
        print_json(data)
    elif columns is not None and rows is not None:
        print_table(title, columns, rows)
    elif message is not None:
        print_message(message)
    else:
        print_message(str(data))
