"""The `trademind` command: the root group, global options and error handling."""

from __future__ import annotations

import functools
import importlib
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
import typer.main

from trademind import __version__
from trademind.cli.context import CliState, OutputFormat, get_state
from trademind.cli.finite import finite_floats
from trademind.cli.groups import LazyGroup, TradeMindGroup
from trademind.core.errors import TradeMindError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

HELP = (
    "TradeMind: market data, indicators, rule strategies, honest backtests, AI agents, a "
    "safety layer and paper or live trading through Interactive Brokers."
)

# Each command group's name, module and summary: `trademind --help` lists them without importing
# the modules (tests check each summary against its module's help).
_GROUPS: tuple[tuple[str, str, str], ...] = (
    (
        "server",
        "trademind.cli.server",
        "Run and manage the TradeMind server (API, dashboard, scheduler).",
    ),
    (
        "portfolio",
        "trademind.cli.portfolio",
        "Portfolio: summary, holdings, performance, sectors, export.",
    ),
    ("trades", "trademind.cli.trades", "Trades: list, show, export, today, pnl."),
    (
        "strategies",
        "trademind.cli.strategies",
        "Rule strategies: list, enable, disable, configure, evaluate.",
    ),
    (
        "safety",
        "trademind.cli.safety",
        "Safety layer: limits, circuit breakers, emergency stop.",
    ),
    (
        "backtest",
        "trademind.cli.backtest",
        "Backtests: run, compare, optimise, walk-forward, Monte Carlo, results.",
    ),
    (
        "agents",
        "trademind.cli.agents",
        "AI agents: decisions and votes, LLM costs, news sentiment, sentiment and "
        "strategy-selection evaluation.",
    ),
    (
        "ab",
        "trademind.cli.ab",
        "A/B tests of two variants (rules, hybrid, ab.variants): run, list, show, report.",
    ),
    ("data", "trademind.cli.data", "Market data and indicators: ingest, status, show, verify."),
    ("news", "trademind.cli.news", "News: import, list, fetch."),
    (
        "config",
        "trademind.cli.config",
        "Configuration: show the effective settings, get/set/reset keys, validate, export and "
        "import files.",
    ),
    (
        "db",
        "trademind.cli.db",
        "Database schema: apply migrations, show the revision, roll back, list migrations.",
    ),
    (
        "broker",
        "trademind.cli.broker",
        "Broker connection: status, connect, disconnect. [not built yet]",
    ),
)

# Top-level commands that are not groups, loaded the same lazy way: (name, module, summary);
# the module's ``command()`` builds the Click command.
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "trade",
        "trademind.cli.trade",
        "Trade an account through the live trading loop: `trade --symbols AAPL,MSFT`.",
    ),
)


def _version(value: bool) -> None:
    if value:
        print(f"trademind {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="Output: table for people, json for scripts."),
    ] = "table",
    config_path: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Configuration file to use instead of config.yaml."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Verbose logs and full tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    state = get_state(ctx)
    state.output_format = output_format
    state.config_path = config_path
    state.debug = debug


def _shell(ctx: typer.Context) -> None:
    """Interactive shell: every command, with history and completion; `exit` to leave."""
    from trademind.cli import shell

    state = get_state(ctx)
    if not sys.stdin.isatty():
        raise typer.Exit(shell.script_loop(state, dispatch=dispatch, lines=sys.stdin))
    code = shell.shell_loop(
        state,
        dispatch=dispatch,
        completer=shell.build_completer(build_cli()),
        history=shell.open_history(state),
    )
    raise typer.Exit(code)


def _examples(ctx: typer.Context) -> None:
    """Show usage examples: daily reports, cron jobs, scripting."""
    from trademind.cli import examples

    examples.examples_command(ctx)


def _root_app(cls: type[TradeMindGroup]) -> typer.Typer:
    app = typer.Typer(
        name="trademind",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
        cls=cls,
    )
    app.callback()(_root)
    app.command("shell", help="Interactive shell: every command, with history and completion.")(
        _shell
    )
    app.command("examples", help="Show usage examples: daily reports, cron jobs, scripting.")(
        _examples
    )
    return app


def _group_app(module: str) -> typer.Typer:
    group: typer.Typer = importlib.import_module(module).app
    return group


def build_typer_app() -> typer.Typer:
    """The whole `trademind` Typer app (imports every command module)."""
    app = _root_app(TradeMindGroup)
    for name, module, _summary in _GROUPS:
        app.add_typer(_group_app(module), name=name, cls=TradeMindGroup)
    for name, module, _summary in _COMMANDS:
        app.command(name)(importlib.import_module(module).trade)
    return app


def _load_group(name: str, module: str) -> click.Command:
    """The Click group ``name`` of ``module``, as :func:`build_typer_app` would build it."""
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    holder.add_typer(_group_app(module), name=name, cls=TradeMindGroup)
    root = typer.main.get_command(holder)
    assert isinstance(root, click.Group)
    group = root.commands[name]
    _add_global_options(group)
    return group


# Global options work after any subcommand too (`trademind config show --format json`): they are
# added to every leaf command that does not define an option of the same name itself.
def _store_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        get_state(ctx).output_format = "json" if value == "json" else "table"


def _store_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        get_state(ctx).config_path = Path(value)


def _store_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        get_state(ctx).debug = True


def _global_options() -> list[click.Option]:
    return [
        click.Option(
            ["--format", "-f"],
            type=click.Choice(["table", "json"]),
            default=None,
            expose_value=False,
            is_eager=True,
            callback=_store_format,
            help="Output: table for people, json for scripts.",
        ),
        click.Option(
            ["--config", "-c"],
            type=click.Path(dir_okay=False),
            default=None,
            expose_value=False,
            is_eager=True,
            callback=_store_config,
            help="Configuration file to use instead of config.yaml.",
        ),
        click.Option(
            ["--debug"],
            is_flag=True,
            default=False,
            expose_value=False,
            is_eager=True,
            callback=_store_debug,
            help="Verbose logs and full tracebacks on errors.",
        ),
    ]


def _add_global_options(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_global_options(sub)
        return
    finite_floats(command)
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for option in _global_options():
        if not taken.intersection(option.opts):
            command.params.append(option)


def _load_command(name: str, module: str) -> click.Command:
    """The top-level command ``name`` of ``module``, with the global options."""
    command: click.Command = importlib.import_module(module).command()
    command.name = name
    _add_global_options(command)
    return command


def build_lazy_cli() -> LazyGroup:
    """The Click tree of `trademind`; each command group is imported when first used."""
    command = typer.main.get_command(_root_app(LazyGroup))
    assert isinstance(command, LazyGroup)
    _add_global_options(command)
    for name, module, summary in _GROUPS:
        command.add_lazy(name, summary, functools.partial(_load_group, name, module))
    for name, module, summary in _COMMANDS:
        command.add_lazy(name, summary, functools.partial(_load_command, name, module))
    return command


def build_cli() -> click.Command:
    """The whole Click command tree of `trademind`, with global options on every leaf command
    (every group built: for completion and for tests that walk the tree)."""
    command = build_lazy_cli()
    command.load_all()
    return command


def dispatch(
    argv: Sequence[str], state: CliState | None = None, *, cli: click.Command | None = None
) -> int:
    """Run one `trademind` command line and return its exit code; never raises or exits.

    Expected errors are one line on stderr; tracebacks only with ``--debug``. ``cli`` defaults
    to the `trademind` tree (:func:`build_lazy_cli`: only the group the line uses is imported).
    """
    state = state if state is not None else CliState()
    command = cli if cli is not None else build_lazy_cli()
    try:
        result: Any = command.main(
            args=list(argv), prog_name="trademind", standalone_mode=False, obj=state
        )
    except (Exception, KeyboardInterrupt) as exc:  # the last line of defence of the entry point
        return _exit_code_for(exc, state)
    finally:
        _close(state)
    return result if isinstance(result, int) else 0


def _close(state: CliState) -> None:
    """Release the parts the command line used; a failure to close is reported, not raised."""
    try:
        state.close()
    except Exception as exc:  # the command has run: its own exit code stands
        _report(exc, state, exit_code=1, internal=True)


def _exit_code_for(exc: BaseException, state: CliState) -> int:
    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.exceptions.Abort | KeyboardInterrupt):
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, click.ClickException):
        return _click_error(exc)
    if isinstance(exc, TradeMindError):
        return _report(exc, state, exit_code=exc.exit_code)
    return _report(exc, state, exit_code=1, internal=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _click_error(exc: click.ClickException) -> int:
    """Click's errors as one line; a bad command line says where its help is (exit 2)."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        exc.show(file=sys.stderr)  # a group without a command: its help
        return EXIT_USAGE
    hint, code = "", exc.exit_code
    if isinstance(exc, click.UsageError):
        code = EXIT_USAGE
        if exc.ctx is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
    print(f"error: {_escaped(_one_line(exc.format_message()))}{hint}", file=sys.stderr)
    return code


def _report(exc: BaseException, state: CliState, *, exit_code: int, internal: bool = False) -> int:
    if state.debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = str(exc) or type(exc).__name__
    if internal:
        message = f"internal error: {type(exc).__name__}: {message} (run with --debug for details)"
    print(f"error: {_escaped(message)}", file=sys.stderr)
    return exit_code


def _escaped(text: str) -> str:
    """``text`` on one line: line breaks and other control characters (a file name may hold
    them) shown escaped, as ``\\n``, so the error stays one line and says what was given."""
    text = text.strip()
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point."""
    sys.exit(dispatch(sys.argv[1:] if argv is None else argv))
