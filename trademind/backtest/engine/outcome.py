"""What a backtest returns: the account over time, the trades, the order counts.

Arrays stay arrays (a million bars is a few float64 vectors); :meth:`BacktestOutcome.trades`
builds :class:`RoundTrip` values, with their reasons, only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from trademind.fills.protective import EXIT_STOP_LOSS, EXIT_TAKE_PROFIT, EXIT_TRAILING

if TYPE_CHECKING:
    import numpy.typing as npt

    from trademind.backtest.engine.config import BacktestConfig
    from trademind.strategies.base import Bars, Signals

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RoundTrip:
    """One long round trip (or the open position at the end: ``exit_*`` None): an entry and
    its exit. Not a database "trade", which is one fill of an order.

    Prices are average fill prices (slippage included); ``commission`` covers both legs;
    ``pnl`` is net of commission (an open trade's is unrealised, valued at the last close);
    ``return_pct`` is ``100 * pnl / (quantity * entry_price)``; ``bars_held`` counts the
    symbol's bars from the entry fill to the exit fill (to the last bar when open);
    ``slippage`` is what slippage cost in dollars (already inside the prices).
    """

    symbol: str
    side: Literal["long"]
    quantity: float
    entry_time: datetime
    entry_price: float
    exit_time: datetime | None
    exit_price: float | None
    commission: float
    pnl: float
    return_pct: float
    bars_held: int
    entry_reason: str
    exit_reason: str | None
    slippage: float

    @property
    def is_open(self) -> bool:
        return self.exit_time is None


@dataclass(frozen=True, eq=False)
class TradeLog:
    """All trades as aligned arrays, ordered by entry time (then symbol).

    Bar indices are symbol-local (into that symbol's ``Bars``); ``exit_index`` and
    ``exit_signal`` are -1 where there is none; ``exit_kind`` is 0 exit signal, 1 stop-loss,
    2 take-profit, 3 trailing stop, -1 still open.
    """

    symbol: IntArray
    quantity: FloatArray
    entry_index: IntArray
    exit_index: IntArray
    entry_price: FloatArray
    exit_price: FloatArray
    commission: FloatArray
    pnl: FloatArray
    slippage: FloatArray
    entry_signal: IntArray
    exit_signal: IntArray
    exit_kind: IntArray

    def __len__(self) -> int:
        return int(self.quantity.shape[0])

    @property
    def is_open(self) -> npt.NDArray[np.bool_]:
        return self.exit_index < 0


@dataclass(frozen=True)
class OrderCounts:
    """Orders submitted (entries, exits, triggered stops), fills (partial ones included),
    fills that left a remainder working, rejections (no cash / zero size), cancellations,
    DAY expiries, and orders still working when the data ended."""

    orders: int
    fills: int
    partial_fills: int
    rejected: int
    cancelled: int
    expired: int
    open_at_end: int


@dataclass(frozen=True, eq=False)
class BacktestOutcome:
    """The account after every timestamp of the merged timeline, and the trades."""

    symbols: tuple[str, ...]
    ts: IntArray
    equity: FloatArray
    cash: FloatArray
    log: TradeLog
    counts: OrderCounts
    initial_cash: float
    total_commission: float
    total_slippage: float
    config: BacktestConfig
    bars: tuple[Bars, ...]
    signals: tuple[Signals, ...]

    @property
    def exposure(self) -> FloatArray:
        """Fraction of equity held in positions after every timestamp."""
        invested = self.equity - self.cash
        return np.divide(invested, self.equity, out=np.zeros_like(invested), where=self.equity > 0)

    @property
    def final_equity(self) -> float:
        return float(self.equity[-1])

    @property
    def unrealised_pnl(self) -> float:
        """P&L of the positions still open, valued at their last close (net of commission)."""
        return float(self.log.pnl[self.log.is_open].sum())

    @property
    def realised_pnl(self) -> float:
        return float(self.log.pnl[~self.log.is_open].sum())

    def trades(self) -> tuple[RoundTrip, ...]:
        """Every round trip as a :class:`RoundTrip`, with reasons from the signals."""
        log = self.log
        entry_ns, exit_ns = _fill_times(self)
        columns = zip(
            log.symbol.tolist(),
            log.quantity.tolist(),
            log.entry_index.tolist(),
            log.exit_index.tolist(),
            log.entry_price.tolist(),
            log.exit_price.tolist(),
            log.commission.tolist(),
            log.pnl.tolist(),
            log.slippage.tolist(),
            log.entry_signal.tolist(),
            log.exit_signal.tolist(),
            log.exit_kind.tolist(),
            entry_ns,
            exit_ns,
            strict=True,
        )
        return tuple(self._trade(*row) for row in columns)

    def _trade(  # noqa: PLR0917 - one trade row, unpacked
        self,
        symbol: int,
        quantity: float,
        entry: int,
        exit_: int,
        entry_price: float,
        exit_price: float,
        commission: float,
        pnl: float,
        slippage: float,
        entry_signal: int,
        exit_signal: int,
        exit_kind: int,
        entry_ns: int,
        exit_ns: int,
    ) -> RoundTrip:
        signals = self.signals[symbol]
        closed = exit_ >= 0
        return RoundTrip(
            symbol=self.symbols[symbol],
            side="long",
            quantity=quantity,
            entry_time=_time(entry_ns),
            entry_price=entry_price,
            exit_time=_time(exit_ns) if closed else None,
            exit_price=exit_price if closed else None,
            commission=commission,
            pnl=pnl,
            return_pct=100.0 * pnl / (quantity * entry_price),
            bars_held=(exit_ if closed else len(self.bars[symbol]) - 1) - entry,
            entry_reason=signals.describe(entry_signal) or "entry signal",
            exit_reason=self._exit_reason(exit_kind, exit_signal, signals) if closed else None,
            slippage=slippage,
        )

    def _exit_reason(self, kind: int, signal: int, signals: Signals) -> str:
        config = self.config
        if kind == EXIT_STOP_LOSS:
            return f"stop-loss {100 * (config.stop_loss or 0.0):g}%"
        if kind == EXIT_TAKE_PROFIT:
            return f"take-profit {100 * (config.take_profit or 0.0):g}%"
        if kind == EXIT_TRAILING:
            return f"trailing-stop {100 * (config.trailing_stop or 0.0):g}%"
        return signals.describe(signal) or "exit signal"


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _time(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def _fill_times(outcome: BacktestOutcome) -> tuple[list[int], list[int]]:
    """Epoch nanoseconds of every trade's entry and exit fill (0 where still open)."""
    log = outcome.log
    entry = np.zeros(len(log), dtype=np.int64)
    exit_ = np.zeros(len(log), dtype=np.int64)
    for symbol, bars in enumerate(outcome.bars):
        rows = np.flatnonzero(log.symbol == symbol)
        ts = np.asarray(bars.ts)
        ts = (ts.astype("datetime64[ns]") if ts.dtype.kind == "M" else ts).view(np.int64)
        entry[rows] = ts[log.entry_index[rows]]
        closed = rows[log.exit_index[rows] >= 0]
        exit_[closed] = ts[log.exit_index[closed]]
    return entry.tolist(), exit_.tolist()
