"""Options and cell formats shared by `portfolio` and `trades`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        "-a",
        help="The account (default: the most recently used one).",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
]


@dataclass(frozen=True)
class LedgerCommand:
    """What a ledger command needs: the database, the clock and whether to print JSON."""

    database: Database
    clock: Clock
    json: bool


@contextmanager
def ledger_command(ctx: typer.Context) -> Iterator[LedgerCommand]:
    """The command line's database and clock (from bootstrap), for one command."""
    state = get_state(ctx)
    with state.open_database() as database:
        yield LedgerCommand(database, state.parts.clock, state.json)


def money(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def price(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".")


def quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}%"


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def show_json(value: Any) -> None:
    from trademind.services.ledger_export import plain

    print_json(plain(value))


def facts(title: str, rows: list[tuple[str, str]]) -> None:
    print_table(title, ("", ""), rows)


def write_or_print(text: str, output: Path | None, what: str) -> None:
    """``text`` to ``output`` (checked before any work by the caller) or to stdout."""
    import sys

    from trademind.services import files

    if output is None:
        sys.stdout.write(text)
        return
    written = files.write_text(output, text)
    print_message(f"{what} written to {written}")
