"""The state every CLI command shares: the global options and the settings they select."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import click

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.data.providers import BarProvider, Source
    from trademind.db.session import Database

OutputFormat = Literal["table", "json"]


class ProviderFactory(Protocol):
    """Builds the bar provider of a ``--source`` choice (the seam tests use to go offline)."""

    def __call__(self, source: Source, path: Path | None, settings: Settings) -> BarProvider:
        """The provider for ``source``; ``path`` is ``--path`` as given (None when absent)."""
        ...


@dataclass
class CliState:
    """Global options (``--format``, ``--config``, ``--debug``) and lazily loaded settings.

    ``provider_factory`` replaces the real bar providers of ``data ingest`` (None: the real
    ones, built by the data service from ``--source``).
    """

    output_format: OutputFormat = "table"
    config_path: Path | None = None
    debug: bool = False
    provider_factory: ProviderFactory | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.output_format == "json"

    def load_settings(self) -> Settings:
        """Load (once) and return the validated settings for this invocation.

        Logging is configured from them at the same time: the file log at the configured
        level, the console at WARNING (DEBUG with ``--debug``) so command output stays clean.
        """
        if self._settings is None:
            from trademind.config import load_settings
            from trademind.runtime.bootstrap import setup_logging

            settings = load_settings(config_path=self.config_path)
            setup_logging(settings, debug=self.debug)
            self._settings = settings
        return self._settings


def get_state(ctx: click.Context) -> CliState:
    """Return the shared CLI state from the root context (a default one when absent)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


@contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """The configured database for one command (migrated when ``database.auto_migrate``),
    disposed of when the command is done."""
    from trademind.services.db_open import open_database as open_configured

    database = open_configured(settings)
    try:
        yield database
    finally:
        database.dispose()
