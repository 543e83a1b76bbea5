"""Writing a change to the base configuration file: validate, confirm, record, write.

One path for ``config set``, ``reset`` and ``import`` (and ``strategies set``): the whole
resulting configuration is validated with every layer above the file, nothing is written when
no setting changes, a destructive change is confirmed first, and the file is written
atomically in the same unit as its ``config_changes`` rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trademind.config import BaseOverride, LoadedConfig, Settings, load_config
from trademind.config.changes import KeyChange, file_changes, overriding_sources
from trademind.config.documents import atomic_write_text, parse_document, to_plain
from trademind.config.values import ConfigUsageError
from trademind.core.clock import Clock
from trademind.core.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from trademind.db.session import Database

Writer = Callable[[Path, str], None]
Environ = Mapping[str, str] | None
_LISTED_KEYS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeReport:
    """What a set/reset/import did to the base file."""

    file: Path
    created: bool
    written: bool
    changes: tuple[KeyChange, ...]
    overridden: tuple[tuple[str, str], ...] = ()  # (key, higher layer that still sets it)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "created": self.created,
            "written": self.written,
            "changes": [change.as_dict() for change in self.changes],
            "overridden": [{"key": key, "by": by} for key, by in self.overridden],
        }


@dataclass(frozen=True)
class PendingChange:
    """A validated change about to overwrite the base file (shown before confirming it)."""

    file: Path
    changes: tuple[KeyChange, ...]

    def describe(self) -> str:
        """``would change 2 setting(s) in PATH (a.b, c.d)`` or, when only the text changes,
        ``would rewrite PATH (its comments and layout; no setting changes)``."""
        if not self.changes:
            return f"would rewrite {self.file} (its comments and layout; no setting changes)"
        keys = [change.key for change in self.changes]
        shown = ", ".join(keys[:_LISTED_KEYS])
        more = f" and {len(keys) - _LISTED_KEYS} more" if len(keys) > _LISTED_KEYS else ""
        return f"would change {len(keys)} setting(s) in {self.file} ({shown}{more})"


Confirm = Callable[[PendingChange], None]  # raises to stop the change


@dataclass(frozen=True)
class FileEdit:
    """The base file's text before and after a change, and how to name the change."""

    target: Path
    old_text: str | None
    new_text: str
    source: str  # config_changes.source: "cli set", "cli import", ...
    action: str  # the command, named in messages: "config import new.yaml"
    origin: Path | None = None  # the imported file, named in error messages
    rewrite: bool = False  # write even when no setting changes (reset restores the text)


def commit(
    change: FileEdit,
    key_path: tuple[str, ...],
    *,
    environ: Environ,
    cwd: Path | None,
    writer: Writer = atomic_write_text,
    confirm: Confirm | None = None,
    value_key: str | None = None,
    clock: Clock,
) -> ChangeReport:
    """Validate, confirm (when ``confirm`` is given), record (stamped with ``clock``'s time)
    and write ``change``; nothing is written when no setting changes (unless the edit is a
    ``rewrite``)."""
    loaded = validate_edit(
        change.target,
        _new_data(change),
        change.action,
        change.origin,
        environ=environ,
        cwd=cwd,
        value_key=value_key,
    )
    changes = file_changes(_old_data(change), _new_data(change))
    overridden = overriding_sources(loaded.sources, key_path)
    if change.old_text == change.new_text or not (changes or change.rewrite):
        return ChangeReport(
            file=change.target, created=False, written=False, changes=(), overridden=overridden
        )
    if confirm is not None:
        confirm(PendingChange(change.target, changes))
    _record_and_write(loaded.settings, change, changes, writer, clock.now())
    return ChangeReport(
        file=change.target,
        created=change.old_text is None,
        written=True,
        changes=changes,
        overridden=overridden,
    )


def validate_edit(
    target: Path,
    data: Mapping[str, Any],
    action: str,
    origin: Path | None = None,
    *,
    environ: Environ,
    cwd: Path | None,
    value_key: str | None = None,
) -> LoadedConfig:
    """The configuration the base file ``target`` holding ``data`` would give (every layer),
    or a one-line ConfigError naming ``origin`` (the imported file) when given. When every
    problem lies at or under ``value_key`` (the key given on the command line), the value
    itself is bad: a usage error (exit 2)."""
    label = f"file {origin}" if origin is not None else None
    try:
        return load_config(
            target, environ=environ, cwd=cwd, base_override=BaseOverride(target, data, label)
        )
    except ConfigError as exc:
        if value_key is not None and _only_under(exc.problems, value_key):
            reasons = "; ".join(f"{key}: {reason}" for key, reason in exc.problems)
            message = f"{action}: {reasons}; nothing was written"
            raise ConfigUsageError(message, exc.problems) from None
        message = f"{action}: rejected, nothing was written to {target}: {exc}"
        raise ConfigError(message, exc.problems) from None


def _only_under(problems: list[tuple[str, str]], key: str) -> bool:
    return bool(problems) and all(
        problem == key or problem.startswith(key + ".") for problem, _ in problems
    )


def _new_data(change: FileEdit) -> dict[str, Any]:
    label = str(change.origin or change.target)
    data: dict[str, Any] = to_plain(parse_document(change.new_text, label))
    return data


def _old_data(change: FileEdit) -> dict[str, Any]:
    if change.old_text is None:
        return {}
    try:
        data: dict[str, Any] = to_plain(parse_document(change.old_text, str(change.target)))
    except ConfigError:
        return {}  # an unreadable file is being replaced: compare against the defaults
    return data


def _record_and_write(
    settings: Settings,
    change: FileEdit,
    changes: tuple[KeyChange, ...],
    writer: Writer,
    changed_at: datetime,
) -> None:
    """Record ``changes`` in config_changes and write the file in one unit: the rows are
    flushed first, the file is written, then the transaction commits; a failed write rolls
    the rows back and a database failure leaves the file untouched."""
    if not changes:
        writer(change.target, change.new_text)
        return
    # Imported here: commands that only read the configuration never load the database layer.
    from trademind.db.repositories import ConfigChangeRepository
    from trademind.db.session import Database

    database = Database(settings.database_url())
    try:
        _prepare_schema(database, settings)
        with database.session() as session:
            repository = ConfigChangeRepository(session)
            for key_change in changes:
                repository.record(
                    key=key_change.key,
                    old_value=key_change.old_value,
                    new_value=key_change.new_value,
                    source=change.source,
                    file_path=str(change.target),
                    changed_at=changed_at,
                )
            writer(change.target, change.new_text)
    finally:
        database.dispose()


def _prepare_schema(database: Database, settings: Settings) -> None:
    from trademind.db import migrate

    if settings.database.auto_migrate:
        database.ensure_schema()
        return
    current = database.run(migrate.current_on)
    head = migrate.head_revision()
    if current != head:
        raise DatabaseError(
            f"database {database.url} is at revision {current or 'none'}, not {head}; run "
            "`trademind db upgrade` (database.auto_migrate is false); nothing was changed"
        )
