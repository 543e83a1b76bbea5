"""Hot reload: poll the configuration files and apply a changed configuration if it validates.

``check()`` does one poll synchronously (tests call it directly); ``run(interval)`` polls
forever in the event loop. Listeners receive a :class:`ConfigUpdate`; a failing listener is
logged and the others still run. Logs name the changed keys, never secret values.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trademind.config.files import fingerprint
from trademind.config.loader import LoadedConfig, load_config
from trademind.config.masking import changed_keys, display_value, flatten, masked_dict
from trademind.config.models import Settings
from trademind.core.errors import ConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfigUpdate:
    """A new configuration was applied."""

    previous: Settings
    current: Settings
    changed_keys: tuple[str, ...]


ConfigListener = Callable[[ConfigUpdate], None]


class ConfigWatcher:
    """Watches the base and overlay files of ``loaded`` (by content hash)."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        environ: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self._loaded = loaded
        self._environ = environ
        self._cwd = cwd
        self._listeners: list[ConfigListener] = []
        self._seen = self._fingerprints()

    @property
    def settings(self) -> Settings:
        """The configuration in force."""
        return self._loaded.settings

    @property
    def watched_files(self) -> tuple[Path, ...]:
        files = self._loaded.files
        base = files.base if files.base is not None else self._working_dir() / "config.yaml"
        return tuple(path for path in (base, files.overlay) if path is not None)

    def subscribe(self, listener: ConfigListener) -> None:
        self._listeners.append(listener)

    def check(self) -> bool:
        """Poll once; returns True when a new configuration was applied."""
        seen = self._fingerprints()
        if seen == self._seen:
            return False
        self._seen = seen
        try:
            loaded = load_config(self._loaded.files.base, environ=self._environ, cwd=self._cwd)
        except ConfigError as exc:
            logger.error("configuration change rejected, keeping the running one: %s", exc)
            return False
        return self._apply(loaded)

    async def run(self, interval: float = 2.0) -> None:
        """Poll every ``interval`` seconds until cancelled. Polls run on the event loop (small
        file reads), so listeners are called on the loop's thread."""
        while True:
            self.check()
            await asyncio.sleep(interval)

    def _working_dir(self) -> Path:
        return self._cwd if self._cwd is not None else Path.cwd()

    def _fingerprints(self) -> tuple[str | None, ...]:
        return tuple(fingerprint(path) for path in self.watched_files)

    def _apply(self, loaded: LoadedConfig) -> bool:
        previous = self._loaded.settings
        keys = tuple(changed_keys(previous, loaded.settings))
        self._loaded = loaded
        if not keys:
            logger.debug("configuration files changed; no setting changed")
            return False
        logger.info(
            "configuration reloaded (%s): %s",
            loaded.files.describe(),
            _describe(previous, loaded.settings, keys),
        )
        update = ConfigUpdate(previous, loaded.settings, keys)
        for listener in list(self._listeners):
            try:
                listener(update)
            except Exception:
                logger.exception("configuration listener %r failed", listener)
        return True


def _describe(previous: Settings, current: Settings, keys: tuple[str, ...]) -> str:
    before, after = flatten(masked_dict(previous)), flatten(masked_dict(current))
    return "; ".join(
        f"{key}: {display_value(before.get(key))} -> {display_value(after.get(key))}"
        for key in keys
    )
