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

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from trademind.config.documents import read_mapping
from trademind.config.layers import DEFAULT_SOURCE, Layer, deep_merge, env_layer, file_layer
from trademind.config.locations import (
    CONFIG_FILE_NAME,
    CONFIG_PATH_VAR,
    DOTENV_FILE_NAME,
    ENVIRONMENT_VAR,
    ENVIRONMENTS,
    ConfigFiles,
    locate_files,
    read_dotenv,
    user_config_file,
)
from trademind.config.models import Settings
from trademind.config.problems import Problem, format_problems, problems_from_validation
from trademind.config.schema import iter_leaves
from trademind.core.errors import ConfigError

__all__ = [
    "CONFIG_FILE_NAME",
    "CONFIG_PATH_VAR",
    "DOTENV_FILE_NAME",
    "ENVIRONMENTS",
    "ENVIRONMENT_VAR",
    "BaseOverride",
    "ConfigFiles",
    "LoadedConfig",
    "load_config",
    "load_settings",
    "locate_files",
    "read_dotenv",
    "user_config_file",
]


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
