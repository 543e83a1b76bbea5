"""What commands that only read need from the settings, as protocols: opening the database and
setting up logging. :class:`~trademind.config.models.Settings` satisfies them, and so does the
validated snapshot of :mod:`trademind.config.snapshot` (which needs no pydantic).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class AppOptions(Protocol):
    @property
    def data_dir(self) -> Path: ...


class DatabaseOptions(Protocol):
    @property
    def echo(self) -> bool: ...

    @property
    def auto_migrate(self) -> bool: ...


class LoggingOptions(Protocol):
    @property
    def level(self) -> str: ...

    @property
    def json(self) -> bool: ...

    @property
    def file(self) -> bool: ...

    @property
    def max_bytes(self) -> int: ...

    @property
    def backup_count(self) -> int: ...


class ReadSettings(Protocol):
    """The settings a read-only command uses (``data status``, ``backtest list``)."""

    @property
    def app(self) -> AppOptions: ...

    @property
    def database(self) -> DatabaseOptions: ...

    @property
    def logging(self) -> LoggingOptions: ...

    def database_url(self) -> str:
        """The SQLAlchemy URL to connect to (may carry a password: never log it)."""
        ...

    def secret_values(self) -> list[str]:
        """Every secret that is set (for log redaction)."""
        ...
