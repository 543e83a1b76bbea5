"""What ``trademind trade`` asks for and what it answers: :class:`TradeRequest`,
:class:`TradeSummary` (with :class:`TradeFill`, :class:`TradeOrder`, :class:`TradeCounts`) and
:class:`StepView`, the live view of one bar close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trademind.core.accounts import Position
from trademind.services.json_ready import json_fields


@dataclass(frozen=True)
class TradeRequest:
    """One ``trade`` command line, as texts (parsed and checked by the service).

    ``mode`` None: replay (a resume: the session's). ``strategy`` None: the configured
    ``strategies.enabled``; ``account`` None: an account named
    after the mode; ``cash`` None: ``backtest.initial_cash``. ``slippage``, ``commission`` and
    ``execution`` (sizing, exits, entry order: the keys of
    :data:`~trademind.services.backtest_options.execution.EXECUTION_KEYS`) are the texts
    ``backtest run`` takes. With ``resume`` the stored session supplies whatever is not given;
    what is given must equal what the session was started with.
    """

    mode: str | None = None
    symbols: tuple[str, ...] = ()
    strategy: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    days: int | None = None
    timeframe: str | None = None
    speed: str = "max"
    account: str | None = None
    cash: float | None = None
    resume: bool = False
    slippage: str | None = None
    commission: str | None = None
    execution: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeFill:
    """One execution: ``time`` is the start of the bar it filled in (the backtest's times)."""

    time: datetime
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    order_id: str
    execution_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeOrder:
    """An order's latest state (``quantity``: the working quantity, sized at the first fill)."""

    order_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    quantity: Decimal
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    status: str
    reason: str | None
    submitted_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeCounts:
    """How much the session did (``bars``/``steps``: in the whole session, resumes included;
    ``bars_this_run``: what this process replayed)."""

    bars: int
    steps: int
    bars_this_run: int
    signals_this_run: int
    decisions_this_run: int
    orders: int
    fills: int
    filled: int
    rejected: int
    cancelled: int
    expired: int
    working: int
    round_trips: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeSummary:
    """One account's trading session after a run (or a resume) of it."""

    account: str
    mode: str
    strategies: tuple[str, ...]
    symbols: tuple[str, ...]
    timeframe: str
    start: datetime | None
    end: datetime | None
    resumed: bool
    initial_cash: Decimal
    cash: Decimal
    final_equity: Decimal
    positions: tuple[Position, ...]
    orders: tuple[TradeOrder, ...]
    fills: tuple[TradeFill, ...]
    metrics: Mapping[str, float | int | None]
    counts: TradeCounts
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepView:
    """What the live view shows after a bar close: progress, equity, positions, last orders."""

    account: str
    closed_at: datetime
    step: int
    total_steps: int
    cash: Decimal
    equity: Decimal
    positions: tuple[Position, ...]
    last_orders: tuple[TradeOrder, ...]
