"""Hot reload in the running system: apply a valid changed file and announce it on the bus.

The :class:`~trademind.config.ConfigWatcher` only applies a configuration that validates and
keeps the running one otherwise. Here a new configuration replaces the settings in force,
re-configures logging when ``logging.*`` changed, warns about keys that only take effect at
the next start, and publishes :class:`~trademind.core.events.ConfigReloaded`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from trademind.config import ConfigUpdate, ConfigWatcher, Settings
from trademind.core.bus import EventBus
from trademind.core.clock import Clock
from trademind.core.events import ConfigReloaded

logger = logging.getLogger(__name__)

# Components built from these at start-up are not rebuilt on reload.
RESTART_REQUIRED = ("app.data_dir", "database.", "cache.", "web.host", "web.port", "broker.")


def needs_restart(key: str) -> bool:
    return any(key == prefix or key.startswith(prefix) for prefix in RESTART_REQUIRED)


class LiveConfig:
    """The settings in force, kept current by a watcher."""

    def __init__(
        self,
        watcher: ConfigWatcher,
        *,
        bus: EventBus,
        clock: Clock,
        on_logging_change: Callable[[Settings], object] | None = None,
    ) -> None:
        self._watcher = watcher
        self._bus = bus
        self._clock = clock
        self._on_logging_change = on_logging_change
        watcher.subscribe(self._apply)

    @property
    def settings(self) -> Settings:
        return self._watcher.settings

    def check(self) -> bool:
        """Poll the files once (inside the event loop); True when new settings were applied."""
        return self._watcher.check()

    def start(self, interval: float = 2.0) -> asyncio.Task[None]:
        """Poll every ``interval`` seconds in the running loop until the task is cancelled."""
        return asyncio.get_running_loop().create_task(
            self._watcher.run(interval), name="config hot reload"
        )

    def _apply(self, update: ConfigUpdate) -> None:
        later = [key for key in update.changed_keys if needs_restart(key)]
        if later:
            logger.warning(
                "configuration changed for %s: takes effect at the next start", ", ".join(later)
            )
        if self._on_logging_change and any(k.startswith("logging.") for k in update.changed_keys):
            self._on_logging_change(update.current)
        self._bus.publish_nowait(
            ConfigReloaded(occurred_at=self._clock.now(), changed_keys=update.changed_keys)
        )
