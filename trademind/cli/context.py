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
    from trademind.config.readonly import ReadSettings
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
    _read_settings: ReadSettings | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.output_format == "json"

    def load_settings(self) -> Settings:
        """Load (once) and return the validated settings for this invocation.

        Logging is configured from them at the same time: the file log at the configured
        level, the console at WARNING (DEBUG with ``--debug``) so command output stays clean.
        The settings snapshot of read-only commands is brought up to date as well.
        """
        if self._settings is None:
            from trademind.config.snapshot import load_and_snapshot
            from trademind.runtime.logging_setup import setup_logging

            settings = load_and_snapshot(self.config_path).settings
            setup_logging(settings, debug=self.debug)
            self._settings = settings
        return self._settings

    def load_read_settings(self) -> ReadSettings:
        """The settings of a command that only reads the database (``data status``,
        ``backtest list``): the validated snapshot when it is current (no pydantic), else the
        full load (see :mod:`trademind.config.snapshot`). Logging is set up as by
        :meth:`load_settings`."""
        if self._settings is not None:
            return self._settings
        if self._read_settings is None:
            from trademind.config.snapshot import read_only_settings
            from trademind.runtime.logging_setup import setup_logging

            settings = read_only_settings(self.config_path)
            setup_logging(settings, debug=self.debug)
            self._read_settings = settings
        return self._read_settings


def get_state(ctx: click.Context) -> CliState:
    """Return the shared CLI state from the root context (a default one when absent)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


@contextmanager
def open_database(settings: ReadSettings) -> Iterator[Database]:
    """The configured database for one command (migrated when ``database.auto_migrate``),
    disposed of when the command is done."""
    from trademind.services.db_open import open_database as open_configured

    database = open_configured(settings)
    try:
        yield database
    finally:
        database.dispose()
