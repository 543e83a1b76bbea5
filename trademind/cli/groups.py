"""Click groups of the `trademind` tree: whole-sentence command listings, lazily imported groups.

:class:`TradeMindGroup` lists each command with its complete first sentence (its
``short_help`` when it has one) instead of Click's cut at about 45 characters, so no listing
ends in "...". :class:`LazyGroup` knows each command group's name and summary up front and
imports the group's module only when the group is invoked, its help is shown or the whole tree
is asked for (:meth:`LazyGroup.load_all`): `trademind --help` imports no command module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import click
from typer.core import TyperGroup

# A sentence ends at . ! or ? followed by white space and a capital letter or a backquote,
# except after the abbreviations "e.g." and "i.e.".
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])\s+(?=[A-Z`])")


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph of ``text``, never cut inside it."""
    paragraph = text.strip().split("\n\n", 1)[0]
    words = " ".join(word for word in paragraph.split() if word != "\b")
    return _SENTENCE_END.split(words, maxsplit=1)[0]


def summary(command: click.Command) -> str:
    """What a command listing shows for ``command``: its short help, else its first sentence."""
    if command.short_help:
        return " ".join(command.short_help.split())
    return first_sentence(command.help or "")


class TradeMindGroup(TyperGroup):
    """A Typer group whose listing shows whole sentences and suggests every command name."""

    def summaries(self, ctx: click.Context) -> list[tuple[str, str]]:
        """``(name, summary)`` of every visible command, in listing order."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        return rows

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = self.summaries(ctx)
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return click.Group.resolve_command(self, ctx, args)
        except click.UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                suggestions = ", ".join(repr(match) for match in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


@dataclass(frozen=True)
class LazyCommand:
    """A command known by name and summary; ``load`` builds it (importing its module)."""

    summary: str
    load: Callable[[], click.Command]


class LazyGroup(TradeMindGroup):
    """A group whose subgroups are built on first use (see the module docstring)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.lazy: dict[str, LazyCommand] = {}

    def add_lazy(self, name: str, summary: str, load: Callable[[], click.Command]) -> None:
        """Register ``name``; ``load`` runs when the command is first needed."""
        self.lazy[name] = LazyCommand(summary, load)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def summaries(self, ctx: click.Context) -> list[tuple[str, str]]:
        """As for any group, without building the commands not built yet."""
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                if not self.commands[name].hidden:
                    rows.append((name, summary(self.commands[name])))
            else:
                rows.append((name, self.lazy[name].summary))
        return rows

    def load_all(self) -> None:
        """Build every lazy command (the whole tree: completion, tests)."""
        context = click.Context(self)
        for name in self.lazy:
            self.get_command(context, name)
