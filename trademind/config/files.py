"""Reading and writing configuration files: the size limit, regular files only, UTF-8, and
atomic replacement. Light to import (no YAML library), so that locating the configuration and
checking the settings snapshot (:mod:`trademind.config.snapshot`) stay fast;
:mod:`trademind.config.documents` re-exports these names.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from trademind.core.errors import ConfigError

MAX_DOCUMENT_BYTES = 1024 * 1024  # 1 MiB: the documented config.yaml is about 15 KB


def too_large(label: str) -> ConfigError:
    reason = f"is larger than {MAX_DOCUMENT_BYTES // 1024} KiB, the limit for configuration files"
    return ConfigError(f"{label}: {reason}", [(label, reason)])


def read_text(path: Path, label: str | None = None) -> str:
    """The text of a configuration file: a regular UTF-8 file of at most
    :data:`MAX_DOCUMENT_BYTES`, checked before parsing (and never read past the limit)."""
    name = label or str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # before opening: a FIFO blocks on open
            raise ConfigError(f"cannot read configuration file {name}: not a regular file")
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise too_large(name)
        with path.open("rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {name}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot read configuration file {name}: {reason}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large(name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"is not UTF-8 text (byte {exc.start})"
        raise ConfigError(f"{name}: {reason}", [(name, reason)]) from None


def fingerprint(path: Path | None) -> str | None:
    """The content hash of ``path`` (None: no such file), what tells that a configuration file
    changed; never reads more than :data:`MAX_DOCUMENT_BYTES` (a larger or non-regular file is
    fingerprinted by its metadata: loading it fails anyway)."""
    if path is None:
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DOCUMENT_BYTES:
            return f"refused: {info.st_mode} {info.st_size} {info.st_mtime_ns}"
        with path.open("rb") as stream:
            return hashlib.sha256(stream.read(MAX_DOCUMENT_BYTES + 1)).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.errno}"


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` all at once: temp file in the same directory, fsync,
    ``os.replace``. A symlink is followed (its target is replaced); file mode is kept."""
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            temp_path.chmod(mode)
        temp_path.replace(target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
