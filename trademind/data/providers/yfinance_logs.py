"""How yfinance fails: which errors are worth a retry, and what the library logs meanwhile.

``yfinance.download`` swallows most exceptions, logs them and returns an empty frame, so the
provider reads what it logged. :func:`captured_library_logs` keeps the logging of yfinance and
the libraries under it (urllib3, peewee, curl_cffi, requests) out of the console: while a
download runs their records go to a collector instead of the root handlers, and afterwards are
logged again at DEBUG under this module's logger (the log file keeps them when it logs DEBUG;
the console shows them with ``--debug`` only). Each failure then reaches the user once, as the
provider's error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

LIBRARY_LOGGERS: Final = ("yfinance", "peewee", "urllib3", "curl_cffi", "requests")

log = logging.getLogger(__name__)

_NETWORK_TEXT: Final = (
    "timed out",
    "timeout",
    "temporary failure",
    "connection",
    "could not resolve",
    "name or service not known",
    "network is unreachable",
    "failed to perform",
)
_RATE_TEXT: Final = ("too many requests", "rate limit")


def transient_kind(err: BaseException) -> str | None:
    """``"network"``, ``"rate"`` or None (not worth retrying) for an exception from download."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if isinstance(status, int):
        if status == 429:
            return "rate"
        if status >= 500:
            return "network"
        if 400 <= status < 500:
            return None
    text = f"{type(err).__name__}: {err}".lower()
    if any(marker in text for marker in _RATE_TEXT):
        return "rate"
    local_file_errors = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
    if isinstance(err, OSError) and not isinstance(err, local_file_errors):
        return "network"
    return kind_of_text(text)


def kind_of_text(text: str) -> str | None:
    if any(marker in text for marker in _RATE_TEXT):
        return "rate"
    if any(marker in text for marker in _NETWORK_TEXT):
        return "network"
    return None


def one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    if line.startswith("[") and "]: " in line:
        line = line.split("]: ", 1)[1]
    return line if len(line) <= limit else line[: limit - 3] + "..."


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_library_logs() -> Iterator[list[str]]:
    """Collect what the download libraries log meanwhile; yields the ERROR messages of yfinance
    (it reports failures only there), filled in as they are logged."""
    collector = _Collector()
    errors: list[str] = []
    saved: list[tuple[logging.Logger, bool]] = []
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(collector)
        logger.propagate = False

    class _Errors(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage().strip()
            if record.name.startswith("yfinance") and message:
                errors.append(message)

    error_handler = _Errors(level=logging.ERROR)
    logging.getLogger("yfinance").addHandler(error_handler)
    try:
        yield errors
    finally:
        logging.getLogger("yfinance").removeHandler(error_handler)
        for logger, propagate in saved:
            logger.removeHandler(collector)
            logger.propagate = propagate
        for record in collector.records:
            log.debug("%s %s: %s", record.name, record.levelname, _message(record))


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a library's broken format arguments must not break the download
        return str(record.msg)
