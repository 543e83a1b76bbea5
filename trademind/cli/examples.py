"""`trademind examples`: usage examples for people and for scripts (cron, health checks)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import typer

from trademind.cli.context import get_state
from trademind.cli.output import emit


@dataclass(frozen=True)
class Example:
    topic: str
    description: str
    command: str


# Only commands that work today are listed; each issue adds the examples of what it builds.
EXAMPLES: tuple[Example, ...] = (
    Example("config", "Show the effective configuration (secrets masked)", "trademind config show"),
    Example("config", "Read one value", "trademind config get safety.daily_loss_limit"),
    Example(
        "config",
        "Change a value (validated first, written atomically, recorded)",
        "trademind config set safety.daily_loss_limit 0.03",
    ),
    Example("config", "Check a file before using it", "trademind config validate my-config.yaml"),
    Example("config", "Use another configuration file", "trademind --config prod.yaml config show"),
    Example(
        "config",
        "Override from the environment (secrets only this way)",
        "TRADEMIND__LLM__API_KEY=... trademind config show --format json",
    ),
    Example("db", "Create or migrate the database schema", "trademind db upgrade"),
    Example("db", "Which schema revision is applied", "trademind db current"),
    Example(
        "db",
        "Use PostgreSQL instead of the embedded SQLite",
        "TRADEMIND__DATABASE__URL=postgresql+psycopg://postgres@127.0.0.1:5432/trademind "
        "trademind db upgrade",
    ),
    Example(
        "scripting",
        "Cron health check: exit code says whether the schema is current",
        "trademind db current --format json | jq -e .up_to_date",
    ),
    Example("shell", "Interactive session with history and completion", "trademind shell"),
)


def examples_command(ctx: typer.Context) -> None:
    """Show usage examples: daily reports, cron jobs, scripting."""
    state = get_state(ctx)
    emit(
        state,
        [asdict(example) for example in EXAMPLES],
        columns=("topic", "what", "command"),
        rows=[(e.topic, e.description, e.command) for e in EXAMPLES],
        title="TradeMind examples",
    )
