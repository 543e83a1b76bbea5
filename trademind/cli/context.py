"""The state every CLI command shares: the global options and the parts (settings, clock,
database, cache) that :mod:`trademind.bootstrap` builds for them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import click

if TYPE_CHECKING:
    from trademind.bootstrap import Parts
    from trademind.config import Settings
    from trademind.config.readonly import ReadSettings
    from trademind.core.clock import Clock
    from trademind.core.ports import Cache
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
    """Global options (``--format``, ``--config``, ``--debug``) and the parts of this command
    line, built by :class:`trademind.bootstrap.Parts` on first use and closed by :meth:`close`.

    ``clock`` is the clock to use (the shell's session clock, a test's clock; None: the
    machine's). ``provider_factory`` replaces the real bar providers of ``data ingest`` (None:
    the real ones, built by the data service from ``--source``).
    """

    output_format: OutputFormat = "table"
    config_path: Path | None = None
    debug: bool = False
    provider_factory: ProviderFactory | None = field(default=None, repr=False)
    clock: Clock | None = field(default=None, repr=False)
    _parts: Parts | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.output_format == "json"

    @property
    def parts(self) -> Parts:
        """The parts of this command line (built when first asked for, after the global
        options are known)."""
        if self._parts is None:
            from trademind.bootstrap import Parts  # built on first use: `--help` imports none

            self._parts = Parts(config_path=self.config_path, debug=self.debug, clock=self.clock)
        return self._parts

    def load_settings(self) -> Settings:
        """Load (once) and return the validated settings for this invocation (logging is
        configured from them at the same time: see :meth:`trademind.bootstrap.Parts.settings`)."""
        return self.parts.settings()

    def load_read_settings(self) -> ReadSettings:
        """The settings of a command that only reads the database (``data status``,
        ``backtest list``): the validated snapshot when it is current (no pydantic), else the
        full load (see :meth:`trademind.bootstrap.Parts.read_settings`)."""
        return self.parts.read_settings()

    @contextmanager
    def open_database(self) -> Iterator[Database]:
        """The configured database of this command line (opened once by bootstrap, migrated
        when ``database.auto_migrate``, disposed of when the command line ends)."""
        yield self.parts.database()

    def cache(self) -> Cache:
        """The configured cache of this command line (closed when the command line ends)."""
        return self.parts.cache()

    def close(self) -> None:
        """Release the database and cache of this command line (idempotent)."""
        if self._parts is not None:
            self._parts.close()


def get_state(ctx: click.Context) -> CliState:
    """Return the shared CLI state from the root context (a default one when absent)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
