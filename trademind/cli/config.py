"""``trademind config``: show, read, change and check the configuration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trademind.cli.context import CliState, get_state
from trademind.cli.output import emit, print_json, print_message, print_table, stderr
from trademind.cli.remote import print_remote_change, running_server

if TYPE_CHECKING:
    from trademind.services.config_service import ChangeReport, Confirm, PendingChange

app = typer.Typer(
    help="Configuration: show the effective settings, get/set/reset keys, validate, export "
    "and import files. Secrets come only from the environment or .env.",
    no_args_is_help=True,
)

_KEY_HELP = "Dotted key such as safety.daily_loss_limit (a section name shows the section)."
_YES_HELP = "Overwrite the config file without asking (needed when stdin is not a terminal)."


@app.command()
def show(ctx: typer.Context) -> None:
    """Show the effective configuration (all layers merged), secrets masked."""
    from trademind.services import config_service

    state = get_state(ctx)
    view = config_service.show_config(state.config_path)
    emit(
        state,
        view.values,
        columns=("key", "value", "source"),
        rows=[(row.key, row.value, row.source) for row in view.rows],
        title=f"Configuration ({view.description})",
    )


@app.command()
def get(ctx: typer.Context, key: Annotated[str, typer.Argument(help=_KEY_HELP)]) -> None:
    """Print the effective value of KEY (secrets masked)."""
    from trademind.config.masking import MAPPING_SETTINGS, display_value, flatten
    from trademind.config.snapshot import current_snapshot

    state = get_state(ctx)
    snapshot = current_snapshot(state.config_path)  # no pydantic when the snapshot is current
    found, value = snapshot.lookup(key) if snapshot is not None else (False, None)
    if not found:
        from trademind.services import config_service

        value = config_service.get_config_value(key, state.config_path)
    if state.json:
        print_json({"key": key, "value": value})
    elif isinstance(value, dict) and key not in MAPPING_SETTINGS:
        rows = [(name, display_value(item)) for name, item in flatten(value, f"{key}.").items()]
        print_table(None, ("key", "value"), rows)
    else:
        print_message(display_value(value))


# ignore_unknown_options lets negative numbers through: `config set safety.x -0.05`.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Dotted key such as safety.daily_loss_limit.")],
    value: Annotated[
        str, typer.Argument(help="New value, read as YAML: 0.03, true, '[SPY, QQQ]', null.")
    ],
) -> None:
    """Set KEY to VALUE in the config file, after validating the whole resulting configuration.

    The file is written atomically with its comments kept, and the change is recorded in
    the database (config_changes). Without a config file, one is created in the user config
    directory from the documented defaults.
    """
    from trademind.services import config_service

    state = get_state(ctx)
    remote = running_server(state)
    if remote is not None:
        body = remote.put("/api/v1/config", {"key": key, "value": value})
        print_remote_change(state, remote, body, f"set {key}")
        return
    report = config_service.set_config_value(key, value, state.config_path, clock=state.parts.clock)
    _emit_change(state, report, f"set {key}")


@app.command()
def reset(
    ctx: typer.Context,
    key: Annotated[
        str | None, typer.Argument(help="Key or section to reset; omit to reset the whole file.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help=_YES_HELP)] = False,
) -> None:
    """Reset KEY to its default, or the whole config file to the documented defaults.

    Overwrites the config file: asks first (in a terminal) or needs --yes.
    """
    from trademind.services import config_service

    state = get_state(ctx)
    command = f"config reset {key}" if key else "config reset"
    report = config_service.reset_config(
        key, state.config_path, confirm=_confirmation(command, yes), clock=state.parts.clock
    )
    _emit_change(state, report, f"reset {key}" if key else "reset to the documented defaults")


@app.command()
def validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="File to check (with the overlay, .env and environment on top)."),
    ] = None,
) -> None:
    """Check FILE (default: the active configuration); exit 1 naming every problem.

    The problems are one error line (`key: reason; ...`); with --format json the report on
    stdout lists them one by one.
    """
    from trademind.core.errors import ConfigError
    from trademind.services import config_service

    state = get_state(ctx)
    report = config_service.validate_config(file, state.config_path)
    if state.json:
        print_json(report)
    elif report.ok:
        print_message(report.message)
    if not report.ok:
        raise ConfigError(report.message, list(report.problems))


@app.command()
def export(ctx: typer.Context) -> None:
    """Print the effective configuration as YAML (JSON with --format json), secrets masked."""
    from trademind.services import config_service

    state = get_state(ctx)
    if state.json:
        print_json(config_service.show_config(state.config_path).values)
        return
    sys.stdout.write(config_service.export_config(state.config_path))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="YAML file whose settings the config file takes.")],
    yes: Annotated[bool, typer.Option("--yes", help=_YES_HELP)] = False,
) -> None:
    """Give the config file the settings of FILE (left-out settings go back to their defaults).

    FILE is validated with every layer above it first. Only the keys whose values change are
    edited; comments and layout stay. Overwrites the config file: asks first (in a terminal)
    or needs --yes.
    """
    from trademind.services import config_service

    state = get_state(ctx)
    report = config_service.import_config(
        file,
        state.config_path,
        confirm=_confirmation(f"config import {file}", yes),
        clock=state.parts.clock,
    )
    _emit_change(state, report, f"imported {file}")


def _confirmation(command: str, yes: bool) -> Confirm:
    """Before the config file is overwritten: the one confirmation rule of
    :mod:`trademind.cli.confirm`, told which keys would change."""

    def confirm(pending: PendingChange) -> None:
        from trademind.cli.confirm import confirm_destruction

        confirm_destruction(pending.describe(), yes=yes, command=command)

    return confirm


def _emit_change(state: CliState, report: ChangeReport, what: str) -> None:
    for key, source in report.overridden:
        stderr.print(
            f"note: {key} is also set by {source}, which takes precedence over the file",
            markup=False,
            highlight=False,
        )
    if state.json:
        print_json(report)
        return
    print_message(_change_summary(report, what))
    rows: list[tuple[Any, ...]] = [
        (change.key, change.old_value, change.new_value) for change in report.changes
    ]
    if rows:
        print_table(None, ("key", "old", "new"), rows)


def _change_summary(report: ChangeReport, what: str) -> str:
    if not report.written:
        return f"{what}: unchanged; {report.file} was not written"
    created = " (created from the documented defaults)" if report.created else ""
    count = len(report.changes)
    return f"{what}: wrote {report.file}{created}; {count} setting(s) changed"
