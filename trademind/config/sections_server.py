"""The ``server`` section: the trading session the server runs beside the dashboard."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trademind.config.base import Section, Symbol


class ServerSettings(Section):
    """What `trademind server start` trades while it serves the dashboard."""

    trading: bool = Field(
        default=True,
        description="Run a trading session in the server: the account below, resumed when it "
        "has a stored session, else started. false: dashboard, API and jobs only.",
    )
    account: str = Field(
        default="replay",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="The account the server trades (letters, digits, '_', '.', '-').",
    )
    mode: Literal["replay", "paper"] = Field(
        default="replay",
        description="A new session's mode: replay (stored bars, or the bundled sample, through "
        "the paper broker) or paper (live bars, simulated fills).",
    )
    strategy: str | None = Field(
        default=None,
        max_length=64,
        description="A new session's strategy (a registered name); empty: strategies.enabled.",
    )
    symbols: list[Symbol] = Field(
        default_factory=lambda: ["AAPL", "MSFT"],
        min_length=1,
        max_length=100,
        description="A new session's symbols.",
    )
    speed: str = Field(
        default="86400x",
        pattern=r"^\s*(max|\d+(\.\d+)?\s*x)\s*$",
        description="Replay pace: 'max' or a multiple of real time ('86400x': one day of bars "
        "per second, so the dashboard can be watched).",
    )
