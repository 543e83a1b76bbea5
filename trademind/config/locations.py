"""Where the configuration comes from: the base file, the ``config.<env>.yaml`` overlay and
``.env`` (see :mod:`trademind.config.loader` for the order of the layers).

Light to import (no pydantic, no YAML library): the settings snapshot
(:mod:`trademind.config.snapshot`) locates the files on every start of a read-only command.
:mod:`trademind.config.loader` re-exports these names.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from trademind.config.files import read_text
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


def read_dotenv(cwd: Path) -> tuple[Path | None, dict[str, str]]:
    """``.env`` in ``cwd`` as variables (no interpolation), read with the limits of every
    configuration file; a line that is not ``NAME=VALUE`` is an error naming the line (its
    text is not quoted: it may hold a secret)."""
    path = cwd / DOTENV_FILE_NAME
    if not path.is_file():
        return None, {}
    from dotenv.parser import parse_stream

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
