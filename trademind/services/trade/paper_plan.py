"""What paper mode asks of a request and the stored bars its strategies warm up on.

A paper session has no fixed bar window: it starts at the clock's now and runs until it is
stopped (Ctrl-C, SIGTERM) or, with ``--end DAY``, until the poll after that day's close.
``--start`` and ``--speed`` are replay options and are refused; ``--days N`` is how many
calendar days of stored bars the strategies warm up on (default
:data:`DEFAULT_WARM_UP_DAYS`).

The warm-up bars are read raw (paper mode trades the live quotes, which are raw prices) from
the store, as ``backtest run`` reads them, up to now; a symbol with no stored bars is an error
naming the command that ingests them (nothing is fetched in its place: see docs/trading.md).
Nothing here writes to the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from trademind.core.errors import UsageError, ValidationError
from trademind.data.schema import check_timeframe
from trademind.data.store import BarStore
from trademind.services.backtest_bars import bars_from_frame

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.services.trade.session import StoredSession
    from trademind.services.trade.types import TradeRequest
    from trademind.strategies.base import Bars

DEFAULT_WARM_UP_DAYS: Final = 365
"""Calendar days of stored bars the strategies see before a paper session trades."""


def check_paper_request(request: TradeRequest) -> None:
    """Refuse the replay-only options (a UsageError, exit 2)."""
    if request.start is not None:
        raise UsageError(
            "paper mode starts now: --start is for replays (--end DAY stops a paper session "
            "after that day's close; --days N sets how many days of stored bars warm it up)"
        )
    if request.speed.strip().lower() != "max":
        raise UsageError("--speed is for replays: paper mode runs at the market's pace")


def paper_window(request: TradeRequest, clock: Clock) -> tuple[datetime, datetime | None]:
    """``(start, until)`` of a new paper session: now, and the end of the ``--end`` day (UTC)
    or None (until stopped)."""
    now = clock.now()
    if request.end is None:
        return now, None
    if request.end < now.date():
        raise ValidationError(
            f"--end {request.end:%Y-%m-%d} is in the past: a paper session trades from now on"
        )
    return now, _midnight(request.end + timedelta(days=1))


def warm_up_days(request: TradeRequest) -> int:
    return request.days or DEFAULT_WARM_UP_DAYS


def warm_up_bars(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    stored: StoredSession | None,
    clock: Clock,
) -> tuple[tuple[Bars, ...], str, tuple[str, ...]]:
    """The stored bars of the last ``--days`` days up to now, one series per symbol (raw
    prices), and the timeframe; a symbol with none is a ValidationError."""
    symbols: Sequence[str] = stored.symbols if stored is not None else request.symbols
    if not symbols:
        raise UsageError("name the symbols to trade: --symbols AAPL,MSFT")
    timeframe = stored.timeframe if stored is not None else None
    timeframe = check_timeframe(timeframe or request.timeframe or settings.data.default_timeframe)
    days = warm_up_days(request)
    now = clock.now()
    store = BarStore(database)
    loaded: list[Bars] = []
    for symbol in symbols:
        if store.coverage(symbol, timeframe) is None:
            raise ValidationError(
                f"no stored {timeframe} bars for {symbol}: run `trademind data ingest --symbols "
                f"{symbol}` first (paper mode warms its strategies up on them)"
            )
        frame = store.read_bars(symbol, timeframe, now - timedelta(days=days), now, adjusted=False)
        if frame.empty:
            coverage = store.coverage(symbol, timeframe)
            raise ValidationError(
                f"no {timeframe} bars of {symbol} stored in the last {days} days (stored bars "
                f"end {coverage.last:%Y-%m-%d}): run `trademind data ingest --symbols {symbol}` "  # type: ignore[union-attr]
                "first, or warm up on more days with --days"
            )
        loaded.append(bars_from_frame(symbol, frame))
    return tuple(loaded), timeframe, ()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
