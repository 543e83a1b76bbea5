"""Configuration use cases: show, get, set, reset, validate, export and import.

Every function takes the configuration location explicitly (``config_path`` as given with
``--config``; ``environ`` and ``cwd`` default to the process's) and returns plain data with
secrets masked. Changes are validated as a whole (file + overlay + ``.env`` + environment)
before anything is written, written atomically, and recorded in ``config_changes``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from trademind.config import MASK, BaseOverride, Settings, load_config, masked_dict
from trademind.config.changes import (
    KeyChange,
    file_changes,
    overriding_sources,
    parse_cli_value,
)
from trademind.config.documents import (
    atomic_write_text,
    dump_document,
    get_in,
    parse_document,
    read_text,
    remove_in,
    set_in,
    to_plain,
)
from trademind.config.loader import locate_files, user_config_file
from trademind.config.masking import display_value, flatten
from trademind.config.schema import (
    KeyInfo,
    UnknownKeyError,
    describe_key,
    env_var_name,
    parse_key,
    secret_paths,
)
from trademind.config.template import render_template
from trademind.core.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from trademind.db.session import Database

SOURCE_SET = "cli set"
SOURCE_RESET = "cli reset"
SOURCE_IMPORT = "cli import"

Writer = Callable[[Path, str], None]
Environ = Mapping[str, str] | None


@dataclass(frozen=True)
class ConfigView:
    """The effective configuration: nested values and one row per setting with its source."""

    description: str
    values: dict[str, Any]
    rows: list[tuple[str, str, str]]


@dataclass(frozen=True)
class ChangeReport:
    """What a set/reset/import did to the base file."""

    file: Path
    created: bool
    written: bool
    changes: tuple[KeyChange, ...]
    overridden: tuple[tuple[str, str], ...] = ()  # (key, higher layer that still sets it)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "created": self.created,
            "written": self.written,
            "changes": [change.as_dict() for change in self.changes],
            "overridden": [{"key": key, "by": by} for key, by in self.overridden],
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of ``config validate``: OK, or every problem found."""

    description: str
    message: str
    problems: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "config": self.description,
            "problems": [{"key": key, "reason": reason} for key, reason in self.problems],
        }


def show_config(
    config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> ConfigView:
    loaded = load_config(config_path, environ=environ, cwd=cwd)
    values = masked_dict(loaded.settings)
    rows = [
        (key, display_value(value), loaded.sources.get(key, "default"))
        for key, value in flatten(values).items()
    ]
    return ConfigView(loaded.files.describe(), values, rows)


def _known_key(key: str) -> KeyInfo:
    try:
        return describe_key(parse_key(key))
    except UnknownKeyError as exc:
        raise ConfigError(
            f"unknown configuration key {exc.key!r}: {exc.reason}", [(exc.key, exc.reason)]
        ) from None


def get_config_value(
    key: str, config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> Any:
    """The effective value of a setting or a whole section (secrets masked)."""
    info = _known_key(key)
    view = show_config(config_path, environ=environ, cwd=cwd)
    return get_in(view.values, info.path)[1]


def export_config(
    config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> str:
    """The effective configuration as YAML, secrets masked (importable again)."""
    view = show_config(config_path, environ=environ, cwd=cwd)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    header = (
        f"# Effective TradeMind configuration ({view.description}).\n"
        f"# Secrets are shown as {MASK}; they are only ever read from the environment or .env.\n"
    )
    stream = StringIO()
    yaml.dump(view.values, stream)
    return header + stream.getvalue()


def validate_config(
    file: Path | None,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
) -> ValidationReport:
    """Validate ``file`` (or the active configuration) with every layer above it."""
    chosen = file if file is not None else config_path
    try:
        loaded = load_config(chosen, environ=environ, cwd=cwd)
    except ConfigError as exc:
        problems = tuple(exc.problems) or ((str(chosen or "configuration"), str(exc)),)
        return ValidationReport(str(chosen or "active configuration"), str(exc), problems)
    description = loaded.files.describe()
    return ValidationReport(description, f"OK: {description} is valid")


def _changeable(key: str, verb: str) -> KeyInfo:
    info = _known_key(key)
    secrets = [path for path in secret_paths() if path[: len(info.path)] == info.path]
    if info.is_secret or (info.is_section and secrets):
        names = ", ".join(env_var_name(path) for path in secrets)
        raise ConfigError(
            f"cannot {verb} {key}: secrets are never stored in configuration files; set the "
            f"environment variable {names} (in the environment or in .env)",
            [(key, f"is a secret: set {names}")],
        )
    return info


def _target(
    config_path: Path | None, environ: Environ, cwd: Path | None
) -> tuple[Path, str | None]:
    """The base file to change and its current text (None when it does not exist yet)."""
    files = locate_files(config_path, os.environ if environ is None else environ, cwd or Path.cwd())
    if files.base is not None:
        return files.base, read_text(files.base)
    return user_config_file(), None


def _template_text() -> str:
    # Rendered from the models, never read from disk: in a checkout the active ./config.yaml
    # is the repository's documented copy, so reading it back would "reset" to the edited file.
    return render_template()


def set_config_value(
    key: str,
    raw_value: str,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
) -> ChangeReport:
    """Set one key in the base file (created from the documented defaults if there is none)."""
    info = _changeable(key, "set")
    value = parse_cli_value(info, raw_value)
    target, old_text = _target(config_path, environ, cwd)
    document = parse_document(old_text if old_text is not None else _template_text(), str(target))
    set_in(document, info.path, value)
    change = _FileEdit(target, old_text, dump_document(document), SOURCE_SET, f"config set {key}")
    return _commit(change, info.path, environ, cwd, writer)


def set_config_values(
    values: Mapping[str, Any],
    config_path: Path | None,
    *,
    action: str,
    source: str = SOURCE_SET,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
) -> ChangeReport:
    """Set several keys to already typed values in one write, the path ``set_config_value``
    takes: the whole result validated first, written atomically, one config_changes row per
    changed key. ``action`` names the command in error messages (``strategies set x``)."""
    if not values:
        raise ConfigError(f"{action}: no setting to change")
    paths = [_changeable(key, "set").path for key in values]
    target, old_text = _target(config_path, environ, cwd)
    document = parse_document(old_text if old_text is not None else _template_text(), str(target))
    for path, value in zip(paths, values.values(), strict=True):
        set_in(document, path, value)
    change = _FileEdit(target, old_text, dump_document(document), source, action)
    return _commit(change, _common_prefix(paths), environ, cwd, writer)


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix = paths[0]
    for path in paths[1:]:
        size = 0
        while size < min(len(prefix), len(path)) and prefix[size] == path[size]:
            size += 1
        prefix = prefix[:size]
    return prefix


def reset_config(
    key: str | None,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
) -> ChangeReport:
    """Restore the documented defaults (config.yaml as shipped), or one key or section."""
    target, old_text = _target(config_path, environ, cwd)
    template = _template_text()
    if key is None:
        change = _FileEdit(target, old_text, template, SOURCE_RESET, "config reset")
        return _commit(change, (), environ, cwd, writer)
    info = _changeable(key, "reset")
    document = parse_document(old_text if old_text is not None else template, str(target))
    found, default = get_in(parse_document(template, "the documented defaults"), info.path)
    if found:
        set_in(document, info.path, default)
    else:
        remove_in(document, info.path)
    change = _FileEdit(
        target, old_text, dump_document(document), SOURCE_RESET, f"config reset {key}"
    )
    return _commit(change, info.path, environ, cwd, writer)


def import_config(
    source: Path,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
) -> ChangeReport:
    """Replace the base file with ``source`` (its text, comments included) if it validates."""
    source = source if source.is_absolute() else (cwd or Path.cwd()) / source
    text = read_text(source)
    parse_document(text, str(source))
    target, old_text = _target(config_path, environ, cwd)
    change = _FileEdit(target, old_text, text, SOURCE_IMPORT, f"config import {source}", source)
    return _commit(change, (), environ, cwd, writer)


@dataclass(frozen=True)
class _FileEdit:
    target: Path
    old_text: str | None
    new_text: str
    source: str
    action: str
    origin: Path | None = None  # the imported file, named in error messages


def _commit(
    change: _FileEdit,
    key_path: tuple[str, ...],
    environ: Environ,
    cwd: Path | None,
    writer: Writer,
) -> ChangeReport:
    new_data = to_plain(parse_document(change.new_text, str(change.origin or change.target)))
    label = f"file {change.origin}" if change.origin is not None else None
    try:
        loaded = load_config(
            change.target,
            environ=environ,
            cwd=cwd,
            base_override=BaseOverride(change.target, new_data, label),
        )
    except ConfigError as exc:
        message = f"{change.action}: rejected, nothing was written to {change.target}\n{exc}"
        raise ConfigError(message, exc.problems) from None
    changes = file_changes(_old_data(change), new_data)
    overridden = overriding_sources(loaded.sources, key_path)
    if change.old_text == change.new_text:
        return ChangeReport(change.target, False, False, (), overridden)
    _record_and_write(loaded.settings, change, changes, writer)
    return ChangeReport(change.target, change.old_text is None, True, changes, overridden)


def _old_data(change: _FileEdit) -> dict[str, Any]:
    if change.old_text is None:
        return {}
    try:
        data: dict[str, Any] = to_plain(parse_document(change.old_text, str(change.target)))
    except ConfigError:
        return {}  # an unreadable file is being replaced: compare against the defaults
    return data


def _record_and_write(
    settings: Settings, change: _FileEdit, changes: tuple[KeyChange, ...], writer: Writer
) -> None:
    """Record ``changes`` in config_changes and write the file in one unit: the rows are
    flushed first, the file is written, then the transaction commits; a failed write rolls
    the rows back and a database failure leaves the file untouched."""
    from trademind.db.repositories import ConfigChangeRepository
    from trademind.db.session import Database

    if not changes:
        writer(change.target, change.new_text)
        return
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
