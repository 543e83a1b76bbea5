"""The state every CLI command shares: the global options and the settings they select."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

if TYPE_CHECKING:
    from trademind.config import Settings

OutputFormat = Literal["table", "json"]


@dataclass
class CliState:
    """Global options (``--format``, ``--config``, ``--debug``) and lazily loaded settings."""

    output_format: OutputFormat = "table"
    config_path: Path | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.output_format == "json"

    def load_settings(self) -> Settings:
        """Load (once) and return the validated settings for this invocation.

        Logging is configured from them at the same time: the file log at the configured
        level, the console at WARNING (DEBUG with ``--debug``) so command output stays clean.
        """
        if self._settings is None:
            from trademind.config import load_settings
            from trademind.runtime.bootstrap import setup_logging

            settings = load_settings(config_path=self.config_path)
            setup_logging(settings, debug=self.debug)
            self._settings = settings
        return self._settings


def get_state(ctx: click.Context) -> CliState:
    """Return the shared CLI state from the root context (a default one when absent)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
