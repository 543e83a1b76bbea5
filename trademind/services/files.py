"""Files the commands write (``data show --plot``, ``backtest run --report``, ``backtest export
--output``): checked before any work, written all at once.

:func:`check_writable` refuses a path that cannot be written (a directory, a parent that is a
file, a directory the user may not write in, a blank name) as a usage error before the command
does its work, so a bad output path costs nothing and leaves nothing behind.
:func:`write_text` replaces the file atomically (temp file in the same directory, then
rename): a failed write leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from trademind.core.errors import UsageError, ValidationError


class OutputPathError(UsageError):
    """An output file that cannot be written: a usage error (exit 2), found before any work."""


def _nearest_existing(path: Path) -> Path:
    """``path``'s closest ancestor that exists (missing folders are created when writing)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_writable(path: Path, option: str) -> Path:
    """``path`` when a file can be written there, else an :class:`OutputPathError` naming
    ``option`` and the reason (nothing is left behind by the check)."""
    shown = f"{option} {path}"
    if not str(path).strip() or path.name in ("", ".", ".."):
        raise OutputPathError(f"{option} needs a file name, e.g. {option} out.html")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputPathError(f"{shown}: not a usable file name ({reason})") from None
    if info is not None and os.path.isdir(path):
        raise OutputPathError(f"{shown}: is a directory; name a file, e.g. {path / 'out.html'}")
    folder = _nearest_existing(path)
    if not folder.is_dir():
        raise OutputPathError(f"{shown}: {folder} is not a directory")
    try:  # the real test: root passes os.access() where the filesystem still refuses
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".trademind-check-"):
            pass
    except OSError as exc:
        raise OutputPathError(
            f"{shown}: cannot write in {folder} ({exc.strerror or exc})"
        ) from None
    return path


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (missing folders created); a clear error when
    that is impossible."""
    from trademind.config.documents import atomic_write_text

    try:
        atomic_write_text(path, text)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(f"cannot write {path}: {reason}") from None
    return path
