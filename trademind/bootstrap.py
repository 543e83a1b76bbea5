"""The composition root: the one place that builds settings, logging, clock, bus, cache and
database and hands them to the entry points (CLI, shell, server).

Two shapes of the same wiring:

- :class:`Parts`: what one command line uses (the CLI builds one per invocation, the shell one
  per line sharing the session's clock). Each part is built on first use, so ``--help`` builds
  nothing and imports nothing heavy, and :meth:`Parts.close` releases what was built.
- :class:`Runtime` (:func:`build_runtime`): everything built at once for a long-running process,
  with hot-reloaded configuration.

Light to import: only the clock is imported here; settings, SQLAlchemy, the cache and logging
are imported by the function that builds them. Nothing is built at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trademind.core.clock import Clock, LiveClock

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.config.readonly import ReadSettings
    from trademind.core.bus import EventBus
    from trademind.core.ports import Cache
    from trademind.db.session import Database
    from trademind.runtime.live_config import LiveConfig

logger = logging.getLogger(__name__)


def build_clock() -> Clock:
    """The clock of a real process: the machine's time."""
    return LiveClock()


def build_database(settings: ReadSettings) -> Database:
    """The configured database, migrated to the newest schema when ``database.auto_migrate``."""
    from trademind.db.session import Database

    database = Database(settings.database_url(), echo=settings.database.echo)
    if settings.database.auto_migrate:
        database.ensure_schema()
    return database


def build_configured_cache(settings: Settings, clock: Clock) -> Cache:
    """The configured cache (memory, or Redis falling back to memory with one warning)."""
    from trademind.cache import build_cache

    return build_cache(
        settings.cache.backend,
        redis_url=settings.cache.redis_url,
        key_prefix=settings.cache.key_prefix,
        default_ttl_seconds=settings.cache.default_ttl_seconds,
        clock=clock,
    )


def close_cache(cache: Cache) -> None:
    """Release the cache's connection, when it has one."""
    close = getattr(cache, "close", None)
    if callable(close):
        close()


class Parts:
    """The parts of one command line, each built once on first use; :meth:`close` at the end.

    ``config_path`` and ``debug`` are the global options; ``clock`` is the clock to share (the
    shell's session clock, a test's :class:`~trademind.core.clock.TestClock`); without one the
    machine's clock is used.
    """

    def __init__(
        self,
        *,
        config_path: Path | None = None,
        debug: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.config_path = config_path
        self.debug = debug
        self.clock: Clock = clock if clock is not None else build_clock()
        self._settings: Settings | None = None
        self._read_settings: ReadSettings | None = None
        self._database: Database | None = None
        self._cache: Cache | None = None

    def settings(self) -> Settings:
        """The validated settings (loaded once); logging is configured from them at the same
        time (file log at the configured level, console at WARNING, DEBUG with ``--debug``),
        and the settings snapshot of read-only commands is brought up to date."""
        if self._settings is None:
            from trademind.config.snapshot import load_and_snapshot
            from trademind.runtime.logging_setup import setup_logging

            settings = load_and_snapshot(self.config_path).settings
            setup_logging(settings, debug=self.debug)
            self._settings = settings
        return self._settings

    def read_settings(self) -> ReadSettings:
        """The settings of a command that only reads the database: the validated snapshot when
        it is current (no pydantic), else the full load (see :mod:`trademind.config.snapshot`).
        Logging is set up as by :meth:`settings`."""
        if self._settings is not None:
            return self._settings
        if self._read_settings is None:
            from trademind.config.snapshot import read_only_settings
            from trademind.runtime.logging_setup import setup_logging

            settings = read_only_settings(self.config_path)
            setup_logging(settings, debug=self.debug)
            self._read_settings = settings
        return self._read_settings

    def database(self) -> Database:
        """The configured database (opened once; the full settings when loaded, else the
        read-only ones), disposed of by :meth:`close`."""
        if self._database is None:
            self._database = build_database(self.read_settings())
        return self._database

    def cache(self) -> Cache:
        """The configured cache (built once), closed by :meth:`close`."""
        if self._cache is None:
            self._cache = build_configured_cache(self.settings(), self.clock)
        return self._cache

    def close(self) -> None:
        """Release what was built (idempotent); the settings stay loaded."""
        database, self._database = self._database, None
        cache, self._cache = self._cache, None
        try:
            if cache is not None:
                close_cache(cache)
        finally:
            if database is not None:
                database.dispose()


@dataclass
class Runtime:
    """The wired components one long-running process shares."""

    live_config: LiveConfig
    clock: Clock
    bus: EventBus
    cache: Cache
    database: Database
    log_file: Path | None = None
    config_path: Path | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings in force (hot-reloaded ones once applied)."""
        return self.live_config.settings

    def close(self) -> None:
        """Release connections (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            close_cache(self.cache)
        finally:
            self.database.dispose()


def build_runtime(
    *,
    config_path: Path | None = None,
    clock: Clock | None = None,
    debug: bool = False,
) -> Runtime:
    """Build every shared component from the configuration files (``config_path`` or the
    usual lookup); the configuration is hot-reloaded once ``live_config.start()`` runs."""
    from trademind.config import ConfigWatcher, load_config
    from trademind.core.bus import EventBus
    from trademind.runtime.live_config import LiveConfig
    from trademind.runtime.logging_setup import setup_logging

    loaded = load_config(config_path)
    settings = loaded.settings
    log_file = setup_logging(settings, debug=debug, console_level="INFO")
    clock = clock if clock is not None else build_clock()
    cache = build_configured_cache(settings, clock)
    database = build_database(settings)
    logger.info(
        "runtime ready: database %s, cache %s%s",
        database.url,
        cache.backend_name,
        " (fallback)" if cache.is_fallback else "",
    )
    bus = EventBus(clock=clock)
    live_config = LiveConfig(
        ConfigWatcher(loaded),
        bus=bus,
        clock=clock,
        on_logging_change=lambda new: setup_logging(new, debug=debug, console_level="INFO"),
    )
    return Runtime(
        live_config=live_config,
        clock=clock,
        bus=bus,
        cache=cache,
        database=database,
        log_file=log_file,
        config_path=config_path,
    )
