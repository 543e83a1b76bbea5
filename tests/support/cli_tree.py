"""The `trademind` command tree as Click builds it: every leaf command and its own parameters.

Tests walk this instead of listing commands, so a new command or option is covered the day it
is added.
"""

from __future__ import annotations

import click

from trademind.cli.main import build_cli

# Added to every leaf command by ``trademind.cli.main`` (not the command's own parameters).
GLOBAL_OPTIONS = frozenset({"--format", "--config", "--debug"})


def leaf_commands(root: click.Command | None = None) -> list[tuple[tuple[str, ...], click.Command]]:
    """``(("data", "show"), command)`` for every command that runs, in the tree's order."""
    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found.append((path, command))

    walk(root if root is not None else build_cli(), ())
    return found


def own_params(command: click.Command) -> list[click.Parameter]:
    """The command's parameters without the global options and ``--help``."""
    return [
        param
        for param in command.params
        if not GLOBAL_OPTIONS.intersection(param.opts) and "--help" not in param.opts
    ]


def is_flag(param: click.Parameter) -> bool:
    return isinstance(param, click.Option) and param.is_flag


def is_destructive(command: click.Command) -> bool:
    """Commands that delete or overwrite something ask for ``--yes`` (the project's rule)."""
    return any("--yes" in param.opts for param in command.params)


def accepts_extra_args(command: click.Command) -> bool:
    return bool(command.context_settings.get("allow_extra_args"))


def label(param: click.Parameter) -> str:
    """``--days`` for an option, ``RUN_ID`` for an argument."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return (param.name or "").upper()


def numeric_params(root: click.Command | None = None) -> list[tuple[str, click.Parameter]]:
    """``("backtest list --limit", param)`` for every int or float parameter of every command."""
    numeric = (click.types.IntParamType, click.types.FloatParamType)
    return [
        (" ".join((*path, label(param))), param)
        for path, command in leaf_commands(root)
        for param in own_params(command)
        if isinstance(param.type, numeric)
    ]
