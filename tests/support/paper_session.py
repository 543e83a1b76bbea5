"""A paper session offline: prices by date for FakeYahoo, stored warm-up bars, a waiter that
moves a test clock, a flaky provider, and the requests and options of the paper tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from trademind.core.clock import TestClock
from trademind.core.market import Bar
from trademind.data.providers.base import ProviderError
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.data.store import BarStore
from trademind.db.models import Account, BrokerState, Order, PortfolioSnapshot, Trade
from trademind.db.session import Database
from trademind.runtime.sessions import ExchangeSessions
from trademind.services.trade import StepView, TradeOptions, TradeRequest, TradeSummary
from trademind.services.trade.paper_parts import PaperParts
from trademind.testing.yahoo import FakeYahoo

SYMBOLS = ("AAPL", "MSFT")
FIRST = date(2024, 1, 2)
LIVE = date(2024, 3, 4)  # a Monday: the paper session starts before its open
LAST = date(2024, 4, 12)
START = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
PARAMS = {"fast": "3", "slow": "8"}


def trend_then_swing(days: pd.DatetimeIndex) -> pd.DataFrame:
    """A steady fall before LIVE (no crossing up: nothing to buy in the warm-up), a swing
    after it; the adjusted close is the close (the replay reads adjusted prices)."""
    k = (days - pd.Timestamp(FIRST)).days.to_numpy(dtype=float)
    live = days >= pd.Timestamp(LIVE)
    close = np.where(live, 150.0 + 12.0 * np.sin(k / 3.0), 220.0 - 0.5 * k)
    return _frame(days, close)


def swinging(days: pd.DatetimeIndex) -> pd.DataFrame:
    k = (days - pd.Timestamp(FIRST)).days.to_numpy(dtype=float)
    return _frame(days, 150.0 + 12.0 * np.sin(k / 3.0))


def _frame(days: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(
        {
            "Open": close - 0.7,
            "High": close + 1.5,
            "Low": close - 1.5,
            "Close": close,
            "Adj Close": close,
            "Volume": np.full(len(days), 1e6),
        },
        index=pd.DatetimeIndex(days, name="Date"),
    )


class MovingWaiter:
    """Moves the test clock to each wake-up time at once; its ``block_at``-th wait never ends
    by itself (as a real wait for the next close lasts hours): only a stop ends it."""

    def __init__(self, clock: TestClock, block_at: int | None = None) -> None:
        self.clock = clock
        self.waits: list[datetime] = []
        self.block_at = block_at

    async def wait_until(self, when: datetime) -> None:
        self.waits.append(when)
        if len(self.waits) == self.block_at:
            await asyncio.get_running_loop().create_future()  # cancelled by the stop
        if when > self.clock.now():
            self.clock.set_time(when)


class FlakyProvider:
    """The live provider, failing on the given calls (1-based)."""

    def __init__(self, inner: object, failing: set[int]) -> None:
        self.inner = inner
        self.failing = failing
        self.calls = 0

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        self.calls += 1
        if self.calls in self.failing:
            raise ProviderError(f"{symbol}: Yahoo answered 503", symbol)
        return await self.inner.closed_bars(symbol, timeframe, start, end)  # type: ignore[attr-defined, no-any-return]


def store_bars(
    database: Database,
    prices: Callable[[pd.DatetimeIndex], pd.DataFrame],
    symbols: Sequence[str] = SYMBOLS,
    last: date = LAST,
) -> None:
    """Every NYSE session's bar from FIRST to ``last``, as `data ingest` stores them."""
    days = pd.DatetimeIndex([s.day for s in ExchangeSessions().sessions(FIRST, last)])
    frame = prices(days)
    stored = pd.DataFrame(
        {
            "ts": days.tz_localize("UTC"),
            "open": frame["Open"].to_numpy(),
            "high": frame["High"].to_numpy(),
            "low": frame["Low"].to_numpy(),
            "close": frame["Close"].to_numpy(),
            "volume": frame["Volume"].to_numpy(),
            "adj_close": frame["Adj Close"].to_numpy(),
        }
    )
    for symbol in symbols:
        BarStore(database).write(symbol, "1d", "yfinance", stored, now=START)


def paper_request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "paper",
        "symbols": SYMBOLS,
        "strategy": "ma_crossover",
        "params": PARAMS,
        "account": account,
        "days": 120,
        "end": LAST,
    }
    given.update(changes)
    return TradeRequest(**given)  # type: ignore[arg-type]


def paper_options(
    clock: TestClock,
    prices: Callable[[pd.DatetimeIndex], pd.DataFrame],
    *,
    provider: object = None,
    waiter: MovingWaiter | None = None,
    on_step: Callable[[StepView], None] | None = None,
) -> TradeOptions:
    parts = PaperParts(
        provider=provider or live_yfinance(clock=clock, download=FakeYahoo(prices=prices)),  # type: ignore[arg-type]
        waiter=waiter or MovingWaiter(clock),
    )
    return TradeOptions(clock=clock, paper=parts, on_step=on_step)


def fills_of(summary: TradeSummary) -> list[tuple[object, ...]]:
    return [(f.time, f.symbol, f.side, f.quantity, f.price, f.commission) for f in summary.fills]


def ledger_rows(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Account, Order, Trade, PortfolioSnapshot, BrokerState)
        }
