"""The validated-settings snapshot: read-only commands start without pydantic.

After a full load and validation (:func:`load_and_snapshot`), the effective settings are written
as JSON to ``<user cache dir>/settings/<location>.json`` (one file per working directory and
``--config``), with a key: a SHA-256 over every input of the configuration, namely

- the package version, the source of :mod:`trademind.config` (the schema and its validators),
  :mod:`trademind.core.secrets`, the Python and pydantic installations;
- the working directory and ``--config`` as given;
- the environment variables that feed the settings (``TRADEMIND__*``, ``TRADEMIND_CONFIG``,
  ``TRADEMIND_ENV``) and those that decide defaults and file locations (``HOME``, ``XDG_*``...);
- the resolved paths and the bytes of the base file, the overlay and ``.env``.

A read-only command (``config get``, ``data status``, ``backtest list``) computes the key from
the inputs as they are now and uses the snapshot only when the keys are equal
(:func:`current_snapshot`); on any difference, or when the snapshot cannot be read or makes no
sense, the full load runs and rewrites it atomically. Commands that write the configuration never
use it.

Secrets never reach the disk: when any secret is set (a secret setting, or a password inside the
database or Redis URL), no snapshot is written and every command loads in full.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

import trademind
from trademind.config.files import atomic_write_text, read_text
from trademind.config.locations import locate_files
from trademind.core.errors import ConfigError

if TYPE_CHECKING:
    from trademind.config.loader import LoadedConfig
    from trademind.config.readonly import ReadSettings

SNAPSHOT_FORMAT = 1
_SETTINGS_VARS = ("TRADEMIND_CONFIG", "TRADEMIND_ENV")
_DEFAULTS_VARS = ("HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA")
_SCHEMA_SOURCES = (Path(__file__).parent, Path(__file__).parents[1] / "core" / "secrets.py")


@dataclass(frozen=True)
class AppView:
    data_dir: Path


@dataclass(frozen=True)
class DatabaseView:
    echo: bool
    auto_migrate: bool


@dataclass(frozen=True)
class LoggingView:
    level: str
    json: bool
    file: bool
    max_bytes: int
    backup_count: int


@dataclass(frozen=True)
class SettingsSnapshot:
    """Validated settings read back from a snapshot (a :class:`ReadSettings`); no secret is
    set in them (no snapshot is written otherwise)."""

    description: str  # where the settings came from, as `config show` says it
    values: Mapping[str, Any]  # the settings as `config show --format json` prints them
    keys: frozenset[str]  # every dotted key `config get` accepts (sections and settings)
    url: str
    app: AppView
    database: DatabaseView
    logging: LoggingView

    def database_url(self) -> str:
        return self.url

    def secret_values(self) -> list[str]:
        return []

    def lookup(self, key: str) -> tuple[bool, Any]:
        """``(True, value)`` for a known dotted key; ``(False, None)`` otherwise (the full
        load then words the error)."""
        parts = [part.strip() for part in key.split(".")]
        if ".".join(parts) not in self.keys:
            return False, None
        node: Any = self.values
        for part in parts:
            if not isinstance(node, Mapping) or part not in node:
                return False, None
            node = node[part]
        return True, node


def snapshot_path(config_path: Path | None, cwd: Path) -> Path:
    """The snapshot file of this working directory and ``--config``."""
    location = hashlib.sha256(f"{cwd}\0{config_path or ''}".encode()).hexdigest()[:24]
    return Path(platformdirs.user_cache_dir("trademind")) / "settings" / f"{location}.json"


def _installation(name: str) -> str:
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if origin is None:
        return f"{name}: none"
    status = os.stat(origin)
    return f"{name}: {origin} {status.st_mtime_ns} {status.st_size}"


def _schema_sources() -> list[Path]:
    files: list[Path] = []
    for source in _SCHEMA_SOURCES:
        files.extend(sorted(source.glob("*.py")) if source.is_dir() else [source])
    return files


def relevant_environment(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """The variables of ``environ`` the settings depend on (``TRADEMIND__*``, the file
    locations, the defaults' directories), sorted."""
    return sorted(
        (name, value)
        for name, value in environ.items()
        if name.upper().startswith("TRADEMIND__")
        or name in _SETTINGS_VARS
        or name in _DEFAULTS_VARS
        or name.startswith("XDG_")
    )


def snapshot_key(config_path: Path | None, environ: Mapping[str, str], cwd: Path) -> str | None:
    """The key of the configuration's inputs as they are now; None when they cannot be read
    (the full load then reports why)."""
    digest = hashlib.sha256()

    def add(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")

    try:
        files = locate_files(config_path, environ, cwd)
        add(f"format {SNAPSHOT_FORMAT}", trademind.__version__, sys.version)
        add(_installation("pydantic"), _installation("pydantic_core"))
        for source in _schema_sources():
            add(source.name, source.read_text(encoding="utf-8"))
        add(str(cwd), str(config_path or ""))
        for name, value in relevant_environment(environ):
            add(name, value)
        for path in (files.base, files.overlay, files.dotenv):
            if path is not None and path.exists():
                add(str(path), read_text(path))
            else:
                add(f"absent {path}")
    except (ConfigError, OSError, UnicodeError):
        return None
    return digest.hexdigest()


def _typed(values: Mapping[str, Any], section: str, name: str, kind: type) -> Any:
    value = values[section][name]
    if type(value) is not kind:
        raise TypeError(f"{section}.{name} is not {kind.__name__}")
    return value


def _from_document(document: Any) -> SettingsSnapshot:
    """The snapshot in a parsed file; KeyError/TypeError when it is not one."""
    values = document["values"]
    keys = document["keys"]
    if not isinstance(values, dict) or not isinstance(keys, list):
        raise TypeError("values and keys missing")
    url, description = document["database_url"], document["description"]
    if not isinstance(url, str) or not isinstance(description, str):
        raise TypeError("database_url and description missing")
    return SettingsSnapshot(
        description=description,
        values=values,
        keys=frozenset(key for key in keys if isinstance(key, str)),
        url=url,
        app=AppView(Path(_typed(values, "app", "data_dir", str))),
        database=DatabaseView(
            echo=_typed(values, "database", "echo", bool),
            auto_migrate=_typed(values, "database", "auto_migrate", bool),
        ),
        logging=LoggingView(
            level=_typed(values, "logging", "level", str),
            json=_typed(values, "logging", "json", bool),
            file=_typed(values, "logging", "file", bool),
            max_bytes=_typed(values, "logging", "max_bytes", int),
            backup_count=_typed(values, "logging", "backup_count", int),
        ),
    )


def current_snapshot(
    config_path: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> SettingsSnapshot | None:
    """The snapshot when its key matches the inputs as they are now, else None."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    key = snapshot_key(config_path, environ, cwd)
    return None if key is None else _read_snapshot(snapshot_path(config_path, cwd), key)


def _read_snapshot(path: Path, key: str) -> SettingsSnapshot | None:
    try:
        document = json.loads(read_text(path))
        if document["format"] != SNAPSHOT_FORMAT or document["key"] != key:
            return None
        return _from_document(document)
    except (ConfigError, ValueError, KeyError, TypeError):
        return None


def _known_keys() -> list[str]:
    from trademind.config.schema import iter_leaves

    keys: set[str] = set()
    for leaf in iter_leaves():
        keys.update(".".join(leaf.path[:depth]) for depth in range(1, len(leaf.path) + 1))
    return sorted(keys)


def save_snapshot(loaded: LoadedConfig, key: str, path: Path) -> bool:
    """Write the snapshot of ``loaded`` atomically; False (nothing written) when a secret is
    set or the cache directory cannot be written."""
    from trademind.config.masking import masked_dict

    settings = loaded.settings
    if settings.secret_values():
        return False
    document = {
        "format": SNAPSHOT_FORMAT,
        "key": key,
        "description": loaded.files.describe(),
        "database_url": settings.database_url(),
        "keys": _known_keys(),
        "values": masked_dict(settings),
    }
    try:
        atomic_write_text(path, json.dumps(document, indent=1) + "\n")
    except OSError:
        return False
    return True


def load_and_snapshot(
    config_path: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> LoadedConfig:
    """The full load (:func:`~trademind.config.loader.load_config`); the snapshot is rewritten
    when the inputs were the same before and after it (a file edited meanwhile is not
    snapshotted under the old key)."""
    from trademind.config.loader import load_config

    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    before = snapshot_key(config_path, environ, cwd)
    loaded = load_config(config_path, environ=environ, cwd=cwd)
    if before is not None and snapshot_key(config_path, environ, cwd) == before:
        path = snapshot_path(config_path, cwd)
        if _read_snapshot(path, before) is None:
            save_snapshot(loaded, before, path)
    return loaded


def read_only_settings(config_path: Path | None) -> ReadSettings:
    """The settings of a command that only reads: the snapshot when current, else the full
    load (which rewrites it)."""
    snapshot = current_snapshot(config_path)
    return snapshot if snapshot is not None else load_and_snapshot(config_path).settings
