"""Configuration use cases: show, get, set, reset, validate, export and import.

Every function takes the configuration location explicitly (``config_path`` as given with
``--config``; ``environ`` and ``cwd`` default to the process's) and returns plain data with
secrets masked. Changes are validated as a whole (file + overlay + ``.env`` + environment)
before anything is written, written atomically, and recorded in ``config_changes``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from trademind.config import MASK, LoadedConfig, load_config, masked_dict
from trademind.config.changes import parse_cli_value
from trademind.config.documents import (
    atomic_write_text,
    dump_document,
    get_in,
    load_document,
    parse_document,
    read_text,
    remove_in,
    set_in,
    to_plain,
)
from trademind.config.edits import apply_import
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
from trademind.config.snapshot import load_and_snapshot
from trademind.config.template import render_template
from trademind.config.values import ConfigUsageError
from trademind.core.clock import Clock
from trademind.core.errors import ConfigError
from trademind.services.config_writes import (
    ChangeReport,
    Confirm,
    Environ,
    FileEdit,
    PendingChange,
    Writer,
    commit,
    validate_edit,
)

__all__ = [
    "ChangeReport",
    "ConfigRow",
    "ConfigView",
    "Confirm",
    "Environ",
    "PendingChange",
    "ValidationReport",
    "config_view",
    "export_config",
    "get_config_value",
    "import_config",
    "reset_config",
    "set_config_value",
    "set_config_values",
    "show_config",
    "validate_config",
]

SOURCE_SET = "cli set"
SOURCE_RESET = "cli reset"
SOURCE_IMPORT = "cli import"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigRow:
    """One setting as shown: its dotted key, its value as text (secrets masked), its source
    (``default``, the file, ``env TRADEMIND__...``)."""

    key: str
    value: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigView:
    """The effective configuration: nested values and one row per setting with its source."""

    description: str
    values: dict[str, Any]
    """The configuration document (nested sections, secrets masked), as ``config show`` prints
    it in JSON."""
    rows: tuple[ConfigRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationReport:
    """The outcome of ``config validate``: OK, or every problem found."""

    description: str
    message: str
    problems: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "config": self.description,
            "problems": [{"key": key, "reason": reason} for key, reason in self.problems],
        }


def show_config(
    config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> ConfigView:
    loaded = load_and_snapshot(config_path, environ=environ, cwd=cwd)  # read-only: snapshot
    return config_view(loaded)


def config_view(loaded: LoadedConfig) -> ConfigView:
    """What :func:`show_config` shows of an already loaded configuration."""
    values = masked_dict(loaded.settings)
    rows = tuple(
        ConfigRow(key=key, value=display_value(value), source=loaded.sources.get(key, "default"))
        for key, value in flatten(values).items()
    )
    return ConfigView(description=loaded.files.describe(), values=values, rows=rows)


def _known_key(key: str) -> KeyInfo:
    try:
        return describe_key(parse_key(key))
    except UnknownKeyError as exc:
        raise ConfigUsageError(
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
        if file is not None:
            read_text(file if file.is_absolute() else (cwd or Path.cwd()) / file)  # named as given
        loaded = load_config(chosen, environ=environ, cwd=cwd)
    except ConfigError as exc:
        problems = tuple(exc.problems) or ((str(chosen or "configuration"), str(exc)),)
        return ValidationReport(
            description=str(chosen or "active configuration"), message=str(exc), problems=problems
        )
    description = loaded.files.describe()
    return ValidationReport(description=description, message=f"OK: {description} is valid")


def _changeable(key: str, verb: str) -> KeyInfo:
    info = _known_key(key)
    secrets = [path for path in secret_paths() if path[: len(info.path)] == info.path]
    if info.is_secret or (info.is_section and secrets):
        names = ", ".join(env_var_name(path) for path in secrets)
        raise ConfigUsageError(
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


def _document(text: str | None, target: Path) -> Any:
    """The base file's document to edit (the documented defaults when there is no file)."""
    return parse_document(text if text is not None else _template_text(), str(target))


def set_config_value(
    key: str,
    raw_value: str,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
    clock: Clock,
) -> ChangeReport:
    """Set one key in the base file (created from the documented defaults if there is none).

    VALUE is typed as the setting is written (``true``, not ``yes``); a bad value is a
    ConfigUsageError naming the key. When the file already gives that value nothing is
    written."""
    info = _changeable(key, "set")
    value = parse_cli_value(info, raw_value)
    target, old_text = _target(config_path, environ, cwd)
    document = _document(old_text, target)
    set_in(document, info.path, value)
    change = FileEdit(target, old_text, dump_document(document), SOURCE_SET, f"config set {key}")
    return commit(
        change,
        info.path,
        environ=environ,
        cwd=cwd,
        writer=writer,
        value_key=".".join(info.path),
        clock=clock,
    )


def set_config_values(
    values: Mapping[str, Any],
    config_path: Path | None,
    *,
    action: str,
    source: str = SOURCE_SET,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
    clock: Clock,
) -> ChangeReport:
    """Set several keys to already typed values in one write, the path ``set_config_value``
    takes: the whole result validated first, written atomically, one config_changes row per
    changed key. ``action`` names the command in error messages (``strategies set x``)."""
    if not values:
        raise ConfigError(f"{action}: no setting to change")
    paths = [_changeable(key, "set").path for key in values]
    target, old_text = _target(config_path, environ, cwd)
    document = _document(old_text, target)
    for path, value in zip(paths, values.values(), strict=True):
        set_in(document, path, value)
    change = FileEdit(target, old_text, dump_document(document), source, action)
    return commit(
        change, _common_prefix(paths), environ=environ, cwd=cwd, writer=writer, clock=clock
    )


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
    clock: Clock,
    confirm: Confirm | None = None,
) -> ChangeReport:
    """Restore the documented defaults (config.yaml as shipped), or one key or section.

    ``confirm`` sees the validated change before the file is overwritten and raises to stop
    it; a whole-file reset also restores comments and layout, so it writes even when no
    setting changes."""
    target, old_text = _target(config_path, environ, cwd)
    template = _template_text()
    if key is None:
        change = FileEdit(target, old_text, template, SOURCE_RESET, "config reset", rewrite=True)
        return commit(
            change, (), environ=environ, cwd=cwd, writer=writer, confirm=confirm, clock=clock
        )
    info = _changeable(key, "reset")
    document = _document(old_text, target)
    found, default = get_in(parse_document(template, "the documented defaults"), info.path)
    if found:
        set_in(document, info.path, default)
    else:
        remove_in(document, info.path)
    action = f"config reset {key}"
    change = FileEdit(target, old_text, dump_document(document), SOURCE_RESET, action)
    return commit(
        change, info.path, environ=environ, cwd=cwd, writer=writer, confirm=confirm, clock=clock
    )


def import_config(
    source: Path,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    writer: Writer = atomic_write_text,
    clock: Clock,
    confirm: Confirm | None = None,
) -> ChangeReport:
    """Make the base file give the settings of ``source`` (a setting it leaves out goes back
    to its default), editing only the keys whose values change: the base file keeps its
    comments and layout, and nothing is written when no setting changes.

    ``source`` must be a non-empty mapping that validates as the base file with every layer
    above it; every error names ``source``. ``confirm`` sees the change before the file is
    overwritten and raises to stop it."""
    source = source if source.is_absolute() else (cwd or Path.cwd()) / source
    target, old_text = _target(config_path, environ, cwd)
    action = f"config import {source}"
    try:
        imported = to_plain(load_document(source, allow_empty=False))
        validate_edit(target, imported, action, source, environ=environ, cwd=cwd)
        document = apply_import(
            _current_or_template(old_text, target),
            imported,
            _template(),
            _in_force(config_path, environ, cwd),
        )
    except ConfigError as exc:
        raise _import_error(exc, action, source, target) from None
    new_text = dump_document(document)
    change = FileEdit(target, old_text, new_text, SOURCE_IMPORT, action, source)
    return commit(change, (), environ=environ, cwd=cwd, writer=writer, confirm=confirm, clock=clock)


def _import_error(exc: ConfigError, action: str, source: Path, target: Path) -> ConfigError:
    """Every import failure is a failure (exit 1) that names the imported file."""
    message = str(exc)
    if not message.startswith(action):
        where = "" if str(source) in message else f"{source}: "
        message = f"{action}: rejected, nothing was written to {target}: {where}{message}"
    return ConfigError(message, exc.problems)


def _in_force(config_path: Path | None, environ: Environ, cwd: Path | None) -> dict[str, Any]:
    """The configuration in force, flattened (empty when the current one does not load)."""
    try:
        loaded = load_config(config_path, environ=environ, cwd=cwd)
    except ConfigError:
        return {}
    return flatten(loaded.settings.model_dump(mode="json"))


def _template() -> Any:
    return parse_document(_template_text(), "the documented defaults")


def _current_or_template(old_text: str | None, target: Path) -> Any:
    """The base file to edit; an unreadable one is replaced by the documented defaults."""
    if old_text is None:
        return _template()
    try:
        return parse_document(old_text, str(target))
    except ConfigError:
        return _template()
