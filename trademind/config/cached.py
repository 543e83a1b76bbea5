"""The configuration files' settings for a process that shows them again and again (the web
server's ``/api/v1/config`` and ``/api/v1/strategies``): loaded and validated once, and again
only when one of their inputs has changed.

The inputs, checked on every :meth:`ConfigCache.loaded`:

- the working directory and the environment variables the settings depend on
  (:func:`~trademind.config.snapshot.relevant_environment`);
- the content (:func:`~trademind.config.files.fingerprint`, a SHA-256) of every file that
  gives settings or would if it appeared or changed: the base file, the overlay and ``.env``
  that apply (:func:`~trademind.config.locations.locate_files`), ``./config.yaml``, the user's
  ``config.yaml`` and ``./.env``.

Contents, not stat results: an edit that keeps the size within the file system's timestamp
granularity would go unseen by ``mtime``. The fingerprints are taken before and after a load;
the load is kept only when they are equal (a file changed meanwhile is loaded again by the
next call). A load that fails is not kept: the next call loads again and fails the same way.
:meth:`ConfigCache.invalidate` drops everything (the web app calls it when it has written the
configuration itself; the fingerprints would see the write anyway).

:meth:`ConfigCache.derived` keeps one value computed from the loaded configuration per
function (a view, a JSON document) until the configuration is loaded again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from trademind.config.files import fingerprint
from trademind.config.locations import (
    CONFIG_FILE_NAME,
    DOTENV_FILE_NAME,
    locate_files,
    user_config_file,
)
from trademind.config.snapshot import relevant_environment
from trademind.core.errors import ConfigError

if TYPE_CHECKING:
    from trademind.config.loader import LoadedConfig

T = TypeVar("T")
Loader = Callable[[Path | None, Mapping[str, str], Path], "LoadedConfig"]


def load_for_display(
    config_path: Path | None, environ: Mapping[str, str], cwd: Path
) -> LoadedConfig:
    """The full load, rewriting the read-only commands' snapshot as ``config show`` does."""
    from trademind.config.snapshot import load_and_snapshot

    return load_and_snapshot(config_path, environ=environ, cwd=cwd)


@dataclass(frozen=True, slots=True)
class _Entry:
    situation: tuple[object, ...]  # the working directory and the environment
    paths: tuple[Path, ...]
    fingerprints: tuple[str | None, ...]
    loaded: LoadedConfig


def _fingerprints(paths: tuple[Path, ...]) -> tuple[str | None, ...]:
    return tuple(fingerprint(path) for path in paths)


def _watched(config_path: Path | None, environ: Mapping[str, str], cwd: Path) -> tuple[Path, ...]:
    """Every file whose change could change the settings (module docstring)."""
    files = locate_files(config_path, environ, cwd)
    candidates = (
        files.base,
        files.overlay,
        cwd / CONFIG_FILE_NAME,
        user_config_file(),
        cwd / DOTENV_FILE_NAME,
    )
    return tuple(dict.fromkeys(path for path in candidates if path is not None))


class ConfigCache:
    """The loaded configuration per ``--config`` (module docstring). Thread-safe: the web
    app's routes call it from worker threads."""

    def __init__(
        self, loader: Loader = load_for_display, *, environ: Mapping[str, str] | None = None
    ) -> None:
        self._loader = loader
        self._environ = environ  # None: the process's, as it is at each call
        self._entries: dict[Path | None, _Entry] = {}
        self._derived: dict[tuple[Path | None, Callable[..., Any]], tuple[object, object]] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def loaded(self, config_path: Path | None) -> LoadedConfig:
        """The configuration of ``config_path`` as the files say now (ConfigError when they
        do not validate)."""
        environ = os.environ if self._environ is None else self._environ
        cwd = Path.cwd()
        situation = (cwd, tuple(relevant_environment(environ)))
        entry = self._entries.get(config_path)
        if (
            entry is not None
            and entry.situation == situation
            and entry.fingerprints == _fingerprints(entry.paths)
        ):
            return entry.loaded
        return self._load(config_path, environ, cwd, situation)

    def derived(self, config_path: Path | None, make: Callable[[LoadedConfig], T]) -> T:
        """``make(loaded)``, computed again only when the configuration was loaded again;
        the value is shared between callers: they must not change it."""
        loaded = self.loaded(config_path)
        kept = self._derived.get((config_path, make))
        if kept is not None and kept[0] is loaded:
            return cast(T, kept[1])
        value = make(loaded)
        self._derived[(config_path, make)] = (loaded, value)
        return value

    def invalidate(self) -> None:
        """Forget every load: the next call reads the files again."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._derived.clear()

    def _load(
        self,
        config_path: Path | None,
        environ: Mapping[str, str],
        cwd: Path,
        situation: tuple[object, ...],
    ) -> LoadedConfig:
        generation = self._generation
        try:
            paths = _watched(config_path, environ, cwd)
        except ConfigError:
            return self._loader(config_path, environ, cwd)  # raises it, worded by the load
        before = _fingerprints(paths)
        loaded = self._loader(config_path, environ, cwd)
        if _fingerprints(paths) == before:
            with self._lock:
                if self._generation == generation:
                    self._entries[config_path] = _Entry(situation, paths, before, loaded)
        return loaded
