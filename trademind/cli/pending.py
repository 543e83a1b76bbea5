"""Commands whose capability is not built yet.

They are registered so that ``--help`` shows the whole interface (group listings mark each of
them ``[not built yet]``), accept any arguments, and always exit 1 saying which issue brings
them. None of them prints data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import typer

from trademind.core.errors import NotBuiltYetError

# Extra arguments are accepted so that `trademind data ingest --symbols AAPL` reports
# "not built yet" (exit 1) instead of a misleading usage error (exit 2).
_ACCEPT_ANYTHING = {"ignore_unknown_options": True, "allow_extra_args": True}
NOT_BUILT_MARK = "[not built yet]"


def pending_summary(text: str) -> str:
    """``text`` marked as not built yet (the summary a group listing shows)."""
    return f"{text} {NOT_BUILT_MARK}"


def _pending_command(capability: str, arrives_with: str) -> Callable[[typer.Context], None]:
    def command(ctx: typer.Context) -> None:
        raise NotBuiltYetError(capability, arrives_with)

    return command


def register_pending(
    app: typer.Typer,
    group: str,
    commands: Sequence[tuple[str, str]],
    *,
    arrives_with: str,
) -> None:
    """Register ``(name, help)`` commands of ``group`` that exit 1 with "not built yet"."""
    for name, help_text in commands:
        app.command(
            name,
            help=f"{help_text} [not built yet: arrives with {arrives_with}]",
            short_help=pending_summary(help_text),
            context_settings=_ACCEPT_ANYTHING,
        )(_pending_command(f"`trademind {group} {name}`", arrives_with))
