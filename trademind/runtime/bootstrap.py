"""Wiring: the one place that builds settings, logging, clock, bus, cache and database.

Nothing is built at import time anywhere in TradeMind; entry points (CLI, server) call these
functions. Tests pass their own clock, settings or cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from trademind.cache import build_cache
from trademind.config import ConfigWatcher, Settings, load_config
from trademind.core.bus import EventBus
from trademind.core.clock import Clock, LiveClock
from trademind.core.ports import Cache
from trademind.db.session import Database
from trademind.runtime.live_config import LiveConfig
from trademind.runtime.logging_setup import setup_logging

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The wired components one process shares."""

    live_config: LiveConfig
    clock: Clock
    bus: EventBus
    cache: Cache
    database: Database
    log_file: Path | None = None
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
        close_cache = getattr(self.cache, "close", None)
        if callable(close_cache):
            close_cache()
        self.database.dispose()


def build_runtime(
    *,
    config_path: Path | None = None,
    clock: Clock | None = None,
    debug: bool = False,
) -> Runtime:
    """Build every shared component from the configuration files (``config_path`` or the
    usual lookup); the configuration is hot-reloaded once ``live_config.start()`` runs."""
    loaded = load_config(config_path)
    settings = loaded.settings
    log_file = setup_logging(settings, debug=debug, console_level="INFO")
    clock = clock if clock is not None else LiveClock()
    cache = build_cache(
        settings.cache.backend,
        redis_url=settings.cache.redis_url,
        key_prefix=settings.cache.key_prefix,
        default_ttl_seconds=settings.cache.default_ttl_seconds,
        clock=clock,
    )
    database = Database(settings.database_url(), echo=settings.database.echo)
    if settings.database.auto_migrate:
        database.ensure_schema()
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
    )
