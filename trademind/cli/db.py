"""``trademind db``: create, upgrade, inspect and roll back the database schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli import confirm
from trademind.cli.context import CliState, get_state
from trademind.cli.output import emit
from trademind.core.errors import UsageError

if TYPE_CHECKING:
    from trademind.services import db_service

_MAX_REVISION = 64

app = typer.Typer(
    help="Database schema: apply migrations, show the revision, roll back, list migrations.",
    no_args_is_help=True,
)


def _revision(text: str) -> str:
    """REVISION as given: 'head', 'base', '-N'/'+N' or a revision id; blank or malformed text is
    a usage error (exit 2) before the database is touched."""
    if not text or len(text) > _MAX_REVISION or not text.isprintable() or text != text.strip():
        raise UsageError(
            f"REVISION {text!r} is not a revision: use 'head', 'base', -N or an id from "
            "`trademind db history`"
        )
    from trademind.services import db_service

    return db_service.check_revision(text)


def _database_url(state: CliState) -> str:
    return state.load_settings().database_url()


def _emit_status(state: CliState, status: db_service.SchemaStatus, verb: str) -> None:
    emit(
        state,
        status,
        message=f"{verb} {status.url}: now at revision {status.revision or 'base'}"
        f" (head {status.head})",
    )


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Argument(help="Target revision id, or 'head' for the newest.")
    ] = "head",
) -> None:
    """Apply migrations up to REVISION (default: head). Creates the database if needed."""
    from trademind.services import db_service

    state = get_state(ctx)
    status = db_service.upgrade_database(_database_url(state), _revision(revision))
    _emit_status(state, status, "Upgraded")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the database's revision, the newest revision and whether it is up to date."""
    from trademind.services import db_service

    state = get_state(ctx)
    status = db_service.schema_status(_database_url(state))
    rows = [
        ("revision", status.revision or "base (no migrations applied)"),
        ("head", status.head),
        ("up to date", "yes" if status.up_to_date else "no: run `trademind db upgrade`"),
        ("backend", status.backend),
        ("url", status.url),
    ]
    emit(state, status, columns=("", "value"), rows=rows, title="Database schema")


@app.command(context_settings={"ignore_unknown_options": True})  # lets `downgrade -1` through
def downgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Argument(help="Target revision id, '-N' steps back, or 'base' (drops all).")
    ],
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="Confirm a downgrade that drops tables or columns holding data."
        ),
    ] = False,
) -> None:
    """Revert migrations down to REVISION.

    A downgrade that drops tables or columns holding data ('base' drops every table) lists
    them with their row counts and asks first; without a terminal it needs --yes.
    """
    from trademind.services import db_service

    state = get_state(ctx)
    revision = _revision(revision)
    url = _database_url(state)
    confirmed = yes
    if not yes and confirm.stdin_is_terminal():
        plan = db_service.plan_downgrade(url, revision)
        if plan.loses_data:
            what = f"deletes {plan.loss_text()}"
            confirm.confirm_destruction(what, yes=False, command=f"db downgrade {revision}")
        confirmed = True
    status = db_service.downgrade_database(url, revision, allow_data_loss=confirmed)
    _emit_status(state, status, "Downgraded")


@app.command()
def history(ctx: typer.Context) -> None:
    """List the migrations shipped with this version of TradeMind, newest first."""
    from trademind.services import db_service

    state = get_state(ctx)
    revisions = db_service.migration_history()
    data = [
        {
            "revision": info.revision,
            "down_revision": info.down_revision,
            "message": info.message,
            "is_head": info.is_head,
        }
        for info in revisions
    ]
    rows = [
        (
            info.revision,
            info.down_revision or "base",
            "head" if info.is_head else "",
            info.message,
        )
        for info in revisions
    ]
    emit(
        state,
        data,
        columns=("revision", "down from", "", "message"),
        rows=rows,
        title="Migrations",
    )
