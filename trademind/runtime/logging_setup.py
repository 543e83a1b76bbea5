"""Logging configured from the settings: the one step every entry point shares.

A module of its own, light to import (no cache, bus or database), so that a CLI command sets up
logging without importing what the long-running runtime needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from trademind.log import configure_logging

if TYPE_CHECKING:
    from trademind.config.readonly import ReadSettings


def setup_logging(
    settings: ReadSettings, *, debug: bool = False, console_level: str = "WARNING"
) -> Path | None:
    """Configure logging from ``settings``; ``debug`` makes file and console verbose."""
    return configure_logging(
        level="DEBUG" if debug else settings.logging.level,
        data_dir=Path(settings.app.data_dir),
        json_lines=settings.logging.json,
        to_file=settings.logging.file,
        max_bytes=settings.logging.max_bytes,
        backup_count=settings.logging.backup_count,
        console_level="DEBUG" if debug else console_level,
        secrets=settings.secret_values(),
    )
