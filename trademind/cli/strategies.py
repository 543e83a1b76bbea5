"""`trademind strategies`: Rule strategies: list, enable, disable, configure, evaluate.

Enable/disable and parameter values are persisted in the configuration file (the path of
`config set`: validated first, written atomically, recorded in config_changes). Exit codes: 0
on success; 2 for a usage error: a malformed command line, an unknown strategy or parameter (the
message names the known ones), a value of the wrong type, out of its declared range or not
fitting the other parameters; 1 for a failure (a configuration file that cannot be read or
written, parameters in it that do not fit together). ``performance`` and ``backtest`` follow
`trademind backtest` (no run stored, too little history: 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import click
import typer

from trademind.cli import backtest_stored
from trademind.cli.context import CliState, get_state
from trademind.cli.output import emit, print_json, print_message, print_table, stderr
from trademind.cli.remote import print_remote_change, running_server

if TYPE_CHECKING:
    from trademind.services.strategy_service import StrategyChange, StrategyView

app = typer.Typer(
    help="Rule strategies: list, enable, disable, configure, evaluate.", no_args_is_help=True
)

_NAME_HELP = "Strategy name, e.g. rsi_mean_reversion (see `trademind strategies list`)."
# Parameters are options named after the strategy's declaration (`--oversold 25`), so they are
# collected as extra arguments and parsed here; negative numbers pass through as values.
_PARAM_OPTIONS = {"ignore_unknown_options": True, "allow_extra_args": True}


def _params_text(view: StrategyView) -> str:
    return " ".join(f"{name}={value}" for name, value in view.values.items()) or "-"


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List strategies: enabled or not, parameter values, what each does."""
    from trademind.services import strategy_service

    state = get_state(ctx)
    views = strategy_service.list_strategies(state.config_path)
    emit(
        state,
        views,
        columns=("name", "enabled", "params", "description"),
        rows=[
            (view.name, "yes" if view.enabled else "no", _params_text(view), view.description)
            for view in views
        ],
        title="Strategies",
    )


@app.command()
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help=_NAME_HELP)]) -> None:
    """Enable a strategy (persisted in the config file's strategies.enabled)."""
    _set_enabled(ctx, name, enabled=True)


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help=_NAME_HELP)]) -> None:
    """Disable a strategy (persisted in the config file's strategies.enabled)."""
    _set_enabled(ctx, name, enabled=False)


def _set_enabled(ctx: typer.Context, name: str, *, enabled: bool) -> None:
    from trademind.services import strategy_service

    state = get_state(ctx)
    verb = "enabled" if enabled else "disabled"
    remote = running_server(state)
    if remote is not None:
        body = remote.post(f"/api/v1/strategies/{quote(name, safe='')}/{verb[:-1]}")
        print_remote_change(state, remote, body, f"{body['strategy']['name']} {verb}")
        return
    change = strategy_service.set_enabled(name, enabled, state.config_path, clock=state.parts.clock)
    _emit_change(state, change, f"{change.strategy.name} {verb}")


@app.command()
def config(ctx: typer.Context, name: Annotated[str, typer.Argument(help=_NAME_HELP)]) -> None:
    """Show a strategy's declared parameters: type, range, default, current value."""
    from trademind.services import strategy_service

    state = get_state(ctx)
    view = strategy_service.strategy_config(name, state.config_path)
    if state.json:
        print_json(view.to_json(declarations=True))
        return
    status = "enabled" if view.enabled else "disabled"
    print_message(f"{view.name} ({status}): {view.description}")
    if not view.params:
        print_message("No parameters.")
        return
    rows = [
        (
            item.param.name,
            item.param.kind,
            item.allowed,
            item.param.default,
            item.value,
            item.param.description,
        )
        for item in view.params
    ]
    print_table(None, ("param", "type", "allowed", "default", "value", "description"), rows)


@app.command("set", context_settings=_PARAM_OPTIONS)
def set_(ctx: typer.Context, name: Annotated[str, typer.Argument(help=_NAME_HELP)]) -> None:
    """Set parameters: `strategies set rsi_mean_reversion --oversold 25 --overbought 75`.

    The options are the strategy's parameters (`strategies config NAME` lists them). Each value
    is checked against its declaration and the result as a whole before the config file is
    written; one config_changes row is recorded per changed key.
    """
    from trademind.services import strategy_service

    state = get_state(ctx)
    given = parse_param_options(list(ctx.args))
    remote = running_server(state)
    if remote is not None:
        path = f"/api/v1/strategies/{quote(name, safe='')}/params"
        body = remote.put(path, {"params": given})
        print_remote_change(state, remote, body, f"{body['strategy']['name']} parameters set")
        return
    change = strategy_service.set_params(name, given, state.config_path, clock=state.parts.clock)
    _emit_change(state, change, f"{change.strategy.name} parameters set")


def parse_param_options(words: list[str]) -> dict[str, str]:
    """``--name value`` / ``--name=value`` pairs as ``{name: value}`` (``-`` read as ``_``);
    anything else is a usage error."""
    given: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("--") or word == "--":
            raise click.UsageError(f"unexpected argument {word!r}: give parameters as --name value")
        name, has_value, value = word[2:].partition("=")
        if not has_value:
            if index + 1 >= len(words):
                raise click.UsageError(f"option --{name} needs a value")
            index += 1
            value = words[index]
        key = name.replace("-", "_")
        if key in given:
            raise click.UsageError(f"option --{name} is given twice")
        given[key] = value
        index += 1
    return given


def _emit_change(state: CliState, change: StrategyChange, what: str) -> None:
    report = change.report
    for key, source in report.overridden:
        stderr.print(
            f"note: {key} is also set by {source}, which takes precedence over the file",
            markup=False,
            highlight=False,
        )
    if state.json:
        print_json(change)
        return
    if not report.written:
        print_message(f"{what}: {report.file} already says so; nothing changed")
        return
    created = " (created from the documented defaults)" if report.created else ""
    print_message(f"{what}: wrote {report.file}{created}")
    rows: list[tuple[Any, ...]] = [
        (item.key, item.old_value, item.new_value) for item in report.changes
    ]
    if rows:
        print_table(None, ("key", "old", "new"), rows)


# Backtests of one strategy: the commands live with the other backtest commands.
app.command("performance")(backtest_stored.strategy_performance)
app.command("backtest")(backtest_stored.strategy_backtest)
