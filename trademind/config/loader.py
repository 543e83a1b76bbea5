"""Assemble the settings from their layers, lowest first:

1. built-in defaults (the models);
2. the base file: ``--config PATH``, else ``$TRADEMIND_CONFIG``, else ``./config.yaml``, else
   ``<user config dir>/config.yaml`` (each only if it exists; an explicit one must exist);
3. the overlay ``config.<env>.yaml`` beside the base file, ``<env>`` from ``TRADEMIND_ENV``
   (dev, staging or prod; a missing overlay file is fine);
4. ``.env`` in the working directory;
5. environment variables ``TRADEMIND__<SECTION>__<KEY>``.

Nested sections merge key by key; every problem is reported as ``(dotted.key, reason)``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import pydantic
from dotenv.parser import parse_stream

from trademind.config.documents import read_mapping, read_text
from trademind.config.layers import DEFAULT_SOURCE, Layer, deep_merge, env_layer, file_layer
from trademind.config.models import Settings
from trademind.config.problems import Problem, format_problems, problems_from_validation
from trademind.config.schema import iter_leaves
from trademind.core.errors import ConfigError

CONFIG_FILE_NAME = "config.yaml"
CONFIG_PATH_VAR = "TRADEMIND_CONFIG"
ENVIRONMENT_VAR = "TRADEMIND_ENV"
ENVIRONMENTS = ("dev", "staging", "prod")
DOTENV_FILE_NAME = ".env"


def user_config_file() -> Path:
    """``<platformdirs user_config_dir("trademind")>/config.yaml``."""
    return Path(platformdirs.user_config_dir("trademind")) / CONFIG_FILE_NAME


@dataclass(frozen=True)
class ConfigFiles:
    """The files a configuration is read from."""

    base: Path | None
    overlay: Path | None  # where config.<env>.yaml is looked for; None without TRADEMIND_ENV
    environment: str | None
    dotenv: Path | None

    def describe(self, base_label: str | None = None) -> str:
        """``file PATH [+ overlay PATH]``; ``base_label`` names the base data instead (a file
        being imported is validated in place of the base file)."""
        parts = [base_label or (f"file {self.base}" if self.base else "no config file")]
        if self.overlay is not None and self.overlay.is_file():
            parts.append(f"overlay {self.overlay}")
        return " + ".join(parts)


@dataclass(frozen=True)
class LoadedConfig:
    """Validated settings and where they came from."""

    settings: Settings
    files: ConfigFiles
    sources: dict[str, str]  # dotted setting -> "default", "file PATH", "env NAME", ...


@dataclass(frozen=True)
class BaseOverride:
    """Validate as if ``path`` contained ``data`` (used before writing a file). ``label``
    names where the data really comes from in messages (e.g. the file being imported)."""

    path: Path
    data: Mapping[str, Any]
    label: str | None = None


def read_dotenv(cwd: Path) -> tuple[Path | None, dict[str, str]]:
    """``.env`` in ``cwd`` as variables (no interpolation), read with the limits of every
    configuration file; a line that is not ``NAME=VALUE`` is an error naming the line (its
    text is not quoted: it may hold a secret)."""
    path = cwd / DOTENV_FILE_NAME
    if not path.is_file():
        return None, {}
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(read_text(path))):
        if binding.error:
            text = binding.original.string
            blank_lines = text[: len(text) - len(text.lstrip("\r\n"))].count("\n")
            reason = f"line {binding.original.line + blank_lines} is not NAME=VALUE"
            raise ConfigError(f"{path}: {reason}", [(str(path), reason)])
        if binding.key is not None:
            values[binding.key] = binding.value or ""
    return path, values


def _environment_name(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    name = value.strip().lower()
    if name not in ENVIRONMENTS:
        reason = f"must be one of {', '.join(ENVIRONMENTS)} (got {value!r})"
        raise ConfigError(f"{ENVIRONMENT_VAR} {reason}", [(ENVIRONMENT_VAR, reason)])
    return name


def _explicit_file(path: Path, cwd: Path, how: str) -> Path:
    absolute = path.expanduser()
    absolute = absolute if absolute.is_absolute() else cwd / absolute
    if not absolute.is_file():
        what = "is not a regular file" if absolute.exists() else "not found"
        raise ConfigError(f"configuration file {what}: {absolute} ({how})")
    return absolute


def _base_file(config_path: Path | None, lookup: Mapping[str, str], cwd: Path) -> Path | None:
    if config_path is not None:
        return _explicit_file(config_path, cwd, "given with --config")
    if lookup.get(CONFIG_PATH_VAR):
        return _explicit_file(Path(lookup[CONFIG_PATH_VAR]), cwd, f"from {CONFIG_PATH_VAR}")
    for candidate in (cwd / CONFIG_FILE_NAME, user_config_file()):
        if candidate.is_file():
            return candidate
    return None


def locate_files(
    config_path: Path | None,
    environ: Mapping[str, str],
    cwd: Path,
    *,
    base_override: Path | None = None,
) -> ConfigFiles:
    """Which base file, overlay and ``.env`` apply (TRADEMIND_ENV/TRADEMIND_CONFIG may also
    come from ``.env``; the real environment wins)."""
    dotenv_path, dotenv = read_dotenv(cwd)
    lookup = {**dotenv, **environ}
    environment = _environment_name(lookup.get(ENVIRONMENT_VAR))
    base = base_override or _base_file(config_path, lookup, cwd)
    overlay = None
    if environment is not None:
        overlay = (base.parent if base else cwd) / f"config.{environment}.yaml"
    return ConfigFiles(base, overlay, environment, dotenv_path)


def _read_layers(
    files: ConfigFiles, environ: Mapping[str, str], override: BaseOverride | None
) -> tuple[list[Layer], list[Problem]]:
    layers: list[Layer] = []
    problems: list[Problem] = []

    def add(result: tuple[Layer, list[Problem]]) -> None:
        layers.append(result[0])
        problems.extend(result[1])

    if override is not None:
        add(file_layer("file", override.label or f"file {override.path}", override.data))
    elif files.base is not None:
        add(file_layer("file", f"file {files.base}", read_mapping(files.base)))
    if files.overlay is not None and files.overlay.is_file():
        add(file_layer("overlay", f"overlay {files.overlay}", read_mapping(files.overlay)))
    if files.dotenv is not None:
        add(env_layer(".env", ".env", read_dotenv(files.dotenv.parent)[1]))
    add(env_layer("env", "env", environ))
    return layers, problems


def _origins(layers: list[Layer]) -> dict[str, str]:
    origins: dict[str, str] = {}
    for layer in layers:
        origins.update(layer.origins)
    return origins


def load_config(
    config_path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    base_override: BaseOverride | None = None,
) -> LoadedConfig:
    """Read, merge and validate every layer; raise ConfigError listing every problem."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    override_path = base_override.path if base_override is not None else None
    files = locate_files(config_path, environ, cwd, base_override=override_path)
    layers, problems = _read_layers(files, environ, base_override)
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer.data)
    origins = _origins(layers)
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(merged)
    except pydantic.ValidationError as exc:
        problems.extend(problems_from_validation(exc))
    if problems or settings is None:
        label = base_override.label if base_override is not None else None
        headline = f"invalid configuration ({files.describe(label)})"
        raise ConfigError(format_problems(headline, problems, origins), problems)
    sources = {
        ".".join(leaf.path): origins.get(".".join(leaf.path), DEFAULT_SOURCE)
        for leaf in iter_leaves()
    }
    return LoadedConfig(settings, files, sources)


def load_settings(
    config_path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The validated settings of every layer (see the module docstring)."""
    return load_config(config_path, environ=environ, cwd=cwd).settings
