"""Output helpers: Rich tables for people, JSON for scripts, one-line messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from trademind.cli.context import CliState

if TYPE_CHECKING:
    from rich.console import Console


def _is_plain(options: dict[str, Any]) -> bool:
    """Whether Console.print with ``options`` prints strings as they are (no markup)."""
    return (
        options.get("markup") is False
        and options.get("highlight") is False
        and options.get("soft_wrap", True) is True
        and set(options) <= {"markup", "highlight", "soft_wrap"}
    )


class LazyConsole:
    """A Rich console made on first real use, so that commands printing plain lines never
    import Rich (start-up time). Plain strings printed with ``markup=False, highlight=False``
    are written as they are; anything else (tables, progress bars, attributes) goes to the
    Rich ``Console(soft_wrap=True)`` this stands for."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, soft_wrap=True)
        return self._console

    def _stream(self) -> TextIO:
        return sys.stderr if self._stderr else sys.stdout

    def print(self, *objects: Any, **options: Any) -> None:
        if all(isinstance(item, str) for item in objects) and _is_plain(options):
            print(*objects, file=self._stream())
            return
        self.console.print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


stdout = cast("Console", LazyConsole(stderr=False))
stderr = cast("Console", LazyConsole(stderr=True))


def print_json(data: Any) -> None:
    """Print ``data`` (a service's typed result, or plain data) as JSON on stdout, through
    :func:`~trademind.services.json_ready.to_json` (dates and paths as strings); nothing else
    on stdout."""
    from trademind.services.json_ready import to_json

    print(json.dumps(to_json(data), indent=2, default=str, sort_keys=False))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Rich table whose cells are shown exactly as given: as ``Text``, never parsed as
    markup or emoji codes (a reason such as "[cached]" or a name with ":x:" prints as is)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=None if title is None else Text(title))
    for column in columns:
        table.add_column(Text(column))
    for row in rows:
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
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
