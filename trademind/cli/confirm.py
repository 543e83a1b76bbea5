"""Confirmation of destructive commands: one rule for every command that deletes rows, drops
tables or overwrites the config file.

With ``--yes`` the command goes ahead. Otherwise, when standard input is a terminal, it asks
(default no; "no" is a failure, exit 1, nothing changed); when it is not a terminal (scripts,
cron, pipes) it refuses with a :class:`~trademind.core.errors.ConfirmationRequiredError` (exit 2)
that says what would be lost, and nothing is changed.
"""

from __future__ import annotations

import sys

from trademind.core.errors import ConfirmationRequiredError, TradeMindError


class DeclinedError(TradeMindError):
    """The user answered no at a confirmation prompt: nothing was changed."""


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirm_destruction(what: str, *, yes: bool, command: str) -> None:
    """Return when ``command`` may go ahead and ``what`` (e.g. "deletes 2,768 bars of AAPL")
    may be lost; otherwise raise (asking first in a terminal)."""
    if yes:
        return
    if not stdin_is_terminal():
        raise ConfirmationRequiredError(
            f"{command} {what}; nothing was changed: add --yes to confirm"
        )
    import typer

    if not typer.confirm(f"{command} {what}. Continue?", default=False, err=True):
        raise DeclinedError(f"{command} cancelled; nothing was changed")
