"""Market data and the trading mode: :class:`Bar` and :class:`TradingMode`.

A bar's prices and volume are floats: price series are float64 inside the engine, and a bar is
one element of such a series. Money that changes hands (orders, fills, cash) is Decimal (see
:mod:`trademind.core.orders` and :mod:`trademind.core.accounts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trademind.core import values
from trademind.core.errors import ValidationError


class TradingMode(StrEnum):
    """Where decisions go. Values are what the database stores (``mode`` columns)."""

    PAPER = "paper"
    LIVE = "live"
    BACKTEST = "backtest"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """One closed bar of one symbol: OHLCV over ``[ts, ts + timeframe)``.

    Invariants: ``ts`` is timezone-aware (converted to UTC); the four prices are finite and
    positive; ``high >= max(open, close, low)`` and ``low <= min(open, close)``; ``volume`` is
    finite and not negative.
    """

    symbol: str
    timeframe: str
    ts: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float

    def __post_init__(self) -> None:
        values.symbol(self.symbol, "Bar.symbol")
        values.text(self.timeframe, "Bar.timeframe", max_length=16)
        object.__setattr__(self, "ts", values.utc(self.ts, "Bar.ts"))
        for name in ("open", "high", "low", "close"):
            price = values.real(getattr(self, name), f"Bar.{name}")
            if price <= 0:
                raise ValidationError(f"{self._where()}: {name} must be positive, got {price:g}")
            object.__setattr__(self, name, price)
        volume = values.real(self.volume, "Bar.volume")
        if volume < 0:
            raise ValidationError(f"{self._where()}: volume must not be negative, got {volume:g}")
        object.__setattr__(self, "volume", volume)
        if self.high < max(self.open, self.close, self.low):
            raise ValidationError(
                f"{self._where()}: high {self.high:g} is below open, close or low "
                f"({self.open:g}, {self.close:g}, {self.low:g})"
            )
        if self.low > min(self.open, self.close):
            raise ValidationError(
                f"{self._where()}: low {self.low:g} is above open or close "
                f"({self.open:g}, {self.close:g})"
            )

    def _where(self) -> str:
        return f"bar {self.symbol} {self.timeframe} {self.ts.isoformat()}"


@dataclass(frozen=True, slots=True)
class BarBatch:
    """The bars of every symbol that closed at ``closed_at`` (in the symbols' given order).

    It lives here, not in the runtime, so that the decision step's port
    (:class:`~trademind.core.ports.DecisionMaker`) and the orchestrator below the runtime can
    name it."""

    closed_at: datetime
    bars: tuple[Bar, ...]
