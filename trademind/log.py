"""Logging set-up: Rich console on stderr, a rotating file in the data directory, secret redaction.

The console handler imports Rich only when it shows its first record (start-up time).

``configure_logging`` installs up to two handlers on the root logger, both named
``trademind.*`` so a second call replaces them instead of adding more. Every handler carries a
:class:`RedactSecretsFilter`, which replaces each given secret with ``**********`` in the
formatted message, the traceback text and the stack text before any handler formats the record.
Console tracebacks are plain text (not Rich's renderer) so they are redacted too.

The file (``<data_dir>/logs/trademind.log``, what ``trademind server logs`` reads) holds plain
lines ``2024-01-02T14:30:00.123Z INFO     trademind.bus: message`` or, with ``json_lines``, one
JSON object per line with ``ts``, ``level``, ``logger``, ``message`` and, for errors, ``exc_info``.
Several processes appending to one file is fine; rotation is done by whichever process crosses
``max_bytes`` first.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trademind.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.logging import RichHandler

REDACTED = "**********"
LOG_FILE_NAME = "trademind.log"
CONSOLE_HANDLER_NAME = "trademind.console"
FILE_HANDLER_NAME = "trademind.file"
_OUR_HANDLERS = frozenset({CONSOLE_HANDLER_NAME, FILE_HANDLER_NAME})
_QUIET_LOGGERS = ("urllib3", "asyncio", "httpx", "httpcore")
_TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


def log_file_path(data_dir: Path) -> Path:
    """Where the log file lives for ``data_dir``."""
    return Path(data_dir) / "logs" / LOG_FILE_NAME


def _utc_iso(created: float) -> str:
    stamp = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


class UtcTextFormatter(logging.Formatter):
    """Plain lines stamped with ISO-8601 UTC time."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_iso(record.created)


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message (+ exc_info, stack_info)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exc_info"] = record.exc_text or self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exc_info"] = record.exc_text
        if record.stack_info:
            payload["stack_info"] = record.stack_info
        return json.dumps(payload, ensure_ascii=False, default=str)


class RedactSecretsFilter(logging.Filter):
    """Replaces each secret (non-empty strings) with ``**********`` in what handlers print."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        unique = {secret for secret in secrets if isinstance(secret, str) and secret}
        self._secrets = tuple(sorted(unique, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self.redact(_message_of(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _message_of(record: logging.LogRecord) -> str:
    """The record's final message; a record whose arguments do not format keeps both parts."""
    try:
        return record.getMessage()
    except Exception:
        return f"{record.msg} (unformattable log arguments: {record.args!r})"


def _parse_level(level: str) -> int:
    levels = logging.getLevelNamesMapping()
    name = str(level).strip().upper()
    if name not in levels or name == "NOTSET":
        raise ConfigError(
            f"unknown log level {level!r} (use DEBUG, INFO, WARNING, ERROR or CRITICAL)"
        )
    return levels[name]


def reset_logging() -> None:
    """Remove and close the handlers ``configure_logging`` installed on the root logger."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in _OUR_HANDLERS:
            root.removeHandler(handler)
            handler.close()


_PLAIN_CONSOLE = False


def use_plain_console() -> None:
    """From now on the console gets plain one-line records (:class:`UtcTextFormatter`) instead
    of Rich's columns wrapped at the terminal's width: for a process whose stderr is a file (the
    background server writes it to its log, which `server logs` shows)."""
    global _PLAIN_CONSOLE  # noqa: PLW0603 - one switch for the process, set before logging starts
    _PLAIN_CONSOLE = True


class ConsoleHandler(logging.Handler):
    """Records on stderr through Rich, which is imported at the first record shown (most
    commands show none, and importing Rich costs start-up time); plain lines after
    :func:`use_plain_console`."""

    def __init__(self) -> None:
        super().__init__()
        self._rich: RichHandler | None = None
        self._plain: logging.Handler | None = None
        if _PLAIN_CONSOLE:
            self._plain = logging.StreamHandler(sys.stderr)
            self._plain.setFormatter(UtcTextFormatter())

    def _rich_handler(self) -> RichHandler:
        if self._rich is None:
            from rich.console import Console
            from rich.logging import RichHandler

            self._rich = RichHandler(
                console=Console(stderr=True),
                show_path=False,
                markup=False,
                rich_tracebacks=False,
            )
            self._rich.setFormatter(logging.Formatter("%(message)s"))
        return self._rich

    def emit(self, record: logging.LogRecord) -> None:
        if self._plain is not None:
            self._plain.emit(record)
            return
        self._rich_handler().emit(record)


class OwnRecordsOnly(logging.Filter):
    """Lets through only TradeMind's own records (loggers ``trademind.*``): what libraries log
    (yfinance's "possibly delisted", urllib3's retries...) stays in the log file and reaches
    the console only with ``--debug``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "trademind" or record.name.startswith("trademind.")


def _console_handler(level: int) -> logging.Handler:
    handler = ConsoleHandler()
    handler.setLevel(level)
    if level > logging.DEBUG:
        handler.addFilter(OwnRecordsOnly())
    return handler


def _file_handler(
    path: Path, json_lines: bool, max_bytes: int, backup_count: int
) -> logging.Handler:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(f"cannot write the log file {path}: {exc.strerror or exc}") from exc
    handler.setFormatter(JsonLinesFormatter() if json_lines else UtcTextFormatter())
    return handler


def _quiet_third_party(level: int) -> None:
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    engine_level = logging.INFO if level <= logging.DEBUG else logging.WARNING
    logging.getLogger("sqlalchemy.engine").setLevel(engine_level)


def configure_logging(
    *,
    level: str,
    data_dir: Path,
    json_lines: bool = False,
    to_file: bool = True,
    max_bytes: int = 10_000_000,
    backup_count: int = 5,
    console: bool = True,
    console_level: str | None = None,
    secrets: Iterable[str] = (),
) -> Path | None:
    """Set up root logging; returns the log file path, or None when ``to_file`` is False.

    ``console_level`` (default: ``level``) lets the console be quieter than the file, as the
    CLI does so that its output stays readable. Calling it again replaces the handlers it
    installed before (it never duplicates them).
    """
    numeric_level = _parse_level(level)
    numeric_console_level = _parse_level(console_level) if console_level else numeric_level
    if max_bytes < 0 or backup_count < 0:
        raise ConfigError("log rotation needs max_bytes >= 0 and backup_count >= 0")
    path = log_file_path(data_dir) if to_file else None
    handlers: list[tuple[str, logging.Handler]] = []
    if console:
        handlers.append((CONSOLE_HANDLER_NAME, _console_handler(numeric_console_level)))
    if path is not None:
        file_handler = _file_handler(path, json_lines, max_bytes, backup_count)
        file_handler.setLevel(numeric_level)
        handlers.append((FILE_HANDLER_NAME, file_handler))

    reset_logging()
    root = logging.getLogger()
    root.setLevel(min(numeric_level, numeric_console_level))
    redactor = RedactSecretsFilter(secrets)
    for name, handler in handlers:
        handler.set_name(name)
        handler.addFilter(redactor)
        root.addHandler(handler)
    _quiet_third_party(numeric_level)
    return path
