"""What the web app works with, handed in by whoever builds it (the server, or a test): the
settings in force, the database, the clock, the event bus, the access policy and the server's
own health. The routers take these through the ``Annotated`` dependencies of
:mod:`trademind.web.deps`; none builds anything itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trademind.agents.llm.breaker import BreakerSnapshot, live_breakers
from trademind.config.cached import ConfigCache
from trademind.web.security import AccessPolicy, LoginLimiter, Sessions

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.bus import EventBus
    from trademind.core.clock import Clock
    from trademind.data.providers import BarProvider, Source
    from trademind.db.session import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopStatus:
    """The trading loop the server runs, as ``/health`` reports it (None: no loop)."""

    account: str
    mode: str
    broker_connected: bool
    last_bar_at: datetime | None
    running: bool
    error: str | None = None


@dataclass(kw_only=True)
class WebContext:
    """The parts every request may use. ``settings`` answers the settings in force now (they
    are hot-reloaded); ``loop_status`` the trading loop's state; ``jobs`` the scheduled jobs'
    names and next run times."""

    settings: Callable[[], Settings]
    database: Database
    clock: Clock
    policy: AccessPolicy
    started_at: datetime
    bus: EventBus | None = None
    loop_status: Callable[[], LoopStatus | None] = lambda: None
    jobs: Callable[[], list[tuple[str, datetime | None]]] = list
    breakers: Callable[[], list[BreakerSnapshot]] = live_breakers
    """The live LLM circuit breakers (the server adds its trading process's)."""
    config_path: Path | None = None
    """The ``--config`` the server was started with (commands that write the config use it)."""
    provider_factory: Callable[[Source, Path | None, Settings], BarProvider] | None = None
    """Replaces the real bar providers of ingest jobs (the seam tests use to stay offline)."""
    sessions: Sessions = field(init=False)
    limiter: LoginLimiter = field(init=False)
    config_files: ConfigCache = field(init=False)
    """The configuration files' settings as ``/config`` and ``/strategies`` show them, read
    again only when a file or the environment changed; a route that writes the configuration
    calls :meth:`config_written`."""

    def __post_init__(self) -> None:
        self.sessions = Sessions(self.clock)
        self.limiter = LoginLimiter(self.clock)
        self.config_files = ConfigCache()

    def config_written(self) -> None:
        """The app has written the configuration file: the next read loads it again."""
        self.config_files.invalidate()
