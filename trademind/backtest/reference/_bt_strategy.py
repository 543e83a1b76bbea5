"""backtrader classes of the reference engine (imported only when backtrader is installed).

``SignalFeed`` carries the strategy's entries/exits as two extra lines; ``SignalStrategy``
turns them into next-open market orders (see ``backtrader_engine`` for the semantics);
``PerShareCommInfo`` is IBKR-style fixed pricing written in backtrader's own terms.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import backtrader as bt

from trademind.backtest.reference.backtrader_engine import BUY, SELL, BacktraderRunError, BtFill

_FAILED = ("Canceled", "Margin", "Rejected", "Expired")
_MAX_ULP_STEPS = 64
DUST_FRACTION = 1e-9
"""A buy worth less than this fraction of the account's value is rounding residue (what an
all-in buy of another symbol left over), not a trade: it is rejected, as in the native engine
(``trademind.fills.sizing.DUST_FRACTION``; the value here is the broker's at the previous close)."""

Sizer = Callable[[float, float], float]
"""``(cash, fill price) -> target quantity`` (the engine's sizing rule and commission model)."""


class SignalFeed(bt.feeds.PandasData):  # type: ignore[misc]  # backtrader ships no types
    """OHLCV plus ``entry``/``exit`` (1.0 where the strategy's signal is set)."""

    lines = ("entry", "exit")
    params = (("entry", -1), ("exit", -1), ("openinterest", None))


class PerShareCommInfo(bt.CommInfoBase):  # type: ignore[misc]
    """``per_share * |size|``, at least ``minimum``, at most ``maximum_fraction`` of the value
    (0: no cap), for stock-like instruments; one order is one execution here."""

    params = (
        ("stocklike", True),
        ("commtype", bt.CommInfoBase.COMM_FIXED),
        ("per_share", 0.0),
        ("minimum", 0.0),
        ("maximum_fraction", 0.0),
    )

    def _getcommission(self, size: float, price: float, pseudoexec: bool) -> float:
        quantity = abs(size)
        if quantity == 0.0:
            return 0.0
        fee = max(self.p.per_share * quantity, self.p.minimum)
        if self.p.maximum_fraction > 0.0:
            fee = min(fee, self.p.maximum_fraction * quantity * price)
        return float(fee)


@dataclass
class _Intent:
    side: int
    signal_bar: int


class SignalStrategy(bt.Strategy):  # type: ignore[misc]
    """Long-only: an entry when flat buys, an exit when long sells it all; at the next open."""

    params = (("sizer", None), ("slip_perc", 0.0), ("fractional", True))

    def __init__(self) -> None:
        self.fills: list[BtFill] = []
        self.failures: list[str] = []
        self.closed_pnl: dict[str, list[float]] = defaultdict(list)
        self.equity = array("d")
        self.cash = array("d")
        self.orders = 0
        self.rejected = 0
        self._intents: dict[Any, _Intent] = {}
        self._seen: dict[Any, int] = {}
        self._signal_bar: dict[int, int] = {}

    def next(self) -> None:
        """Close of a bar: signals of the symbols that have a new bar become intents."""
        for data in self.datas:
            bar = len(data) - 1
            if bar < 0 or self._seen.get(data) == bar:
                continue  # no (new) bar of this symbol at this timestamp
            self._seen[data] = bar
            if data in self._intents:
                continue
            held = self.getposition(data).size
            if held == 0.0 and data.entry[0] > 0.5:
                self._intents[data] = _Intent(BUY, bar)
                self.orders += 1
            elif held > 0.0 and data.exit[0] > 0.5:
                self._intents[data] = _Intent(SELL, bar)
                self.orders += 1
        self.equity.append(self.broker.getvalue())
        self.cash.append(self.broker.getcash())

    def prenext(self) -> None:
        """Before every symbol has its first bar (calendars that start apart): the same."""
        self.next()

    def prenext_open(self) -> None:
        self.next_open()

    def next_open(self) -> None:
        """Open of the next bar (cheat-on-open): size at this open, submit, fill at it.

        Symbols go in the order given, each selling before buying, as in the native loop;
        ``cash`` follows what each earlier order of this open will release or spend."""
        cash = self.broker.getcash()
        for data in self.datas:
            intent = self._intents.get(data)
            if intent is None or len(data) - 1 == self._seen.get(data):
                continue  # nothing to do, or no new bar of this symbol yet
            del self._intents[data]
            if intent.side == SELL:
                cash += self._sale_cash(data)
                self._submit(self.close(data=data), intent)
                continue
            price = self._buy_price(data)
            quantity = self._quantity(data, cash, price)
            if quantity <= 0.0 or quantity * price < DUST_FRACTION * self.broker.getvalue():
                self.rejected += 1
                continue
            cash = self._cash_after(data, cash, quantity, price)
            self._submit(self.buy(data=data, size=quantity, exectype=bt.Order.Market), intent)

    def _submit(self, order: Any, intent: _Intent) -> None:
        self._signal_bar[order.ref] = intent.signal_bar

    def _buy_price(self, data: Any) -> float:
        """The open slipped up, capped at the bar's high (the broker's ``slip_match``)."""
        open_ = float(data.open[0])
        if not self.p.slip_perc:
            return open_
        return float(min(open_ * (1 + self.p.slip_perc), float(data.high[0])))

    def _cash_after(self, data: Any, cash: float, quantity: float, price: float) -> float:
        """Cash after buying, in backtrader's own order of operations (cost, then fee)."""
        comminfo = self.broker.getcommissioninfo(data)
        left = cash - comminfo.getoperationcost(quantity, price)
        return float(left - comminfo.getcommission(quantity, price))

    def _sale_cash(self, data: Any) -> float:
        """The least of backtrader's two ways of counting a sale's cash (its pre-check at
        the open, its execution from the average price), so a buy sized on it always fits."""
        position = self.getposition(data)
        quantity, average = float(position.size), float(position.price)
        open_ = float(data.open[0])
        low = float(data.low[0])
        price = max(open_ * (1 - self.p.slip_perc), low) if self.p.slip_perc else open_
        comminfo = self.broker.getcommissioninfo(data)
        checked = quantity * open_ - comminfo.getcommission(quantity, open_)
        executed = quantity * average + quantity * (price - average)
        return float(min(checked, executed - comminfo.getcommission(quantity, price)))

    def _quantity(self, data: Any, cash: float, price: float) -> float:
        """The sizing rule's quantity, lowered (by ulps, or whole shares) until backtrader's
        own arithmetic (cash - cost - commission) stays >= 0; 0 when nothing fits."""
        quantity = float(self.p.sizer(cash, price))
        if not self.p.fractional:
            quantity = math.floor(quantity)
        for _ in range(_MAX_ULP_STEPS):
            if quantity <= 0.0 or self._cash_after(data, cash, quantity, price) >= 0.0:
                return max(quantity, 0.0)
            quantity = math.nextafter(quantity, 0.0) if self.p.fractional else quantity - 1.0
        raise BacktraderRunError(f"{data._name}: cannot size a buy: cash {cash!r} at {price!r}")

    def notify_order(self, order: Any) -> None:
        name = order.data._name
        status = order.getstatusname()
        side = BUY if order.isbuy() else SELL
        if order.status == order.Completed:
            if abs(order.executed.size) != abs(order.created.size):
                self.failures.append(f"{name}: backtrader filled {order.executed.size!r} of "
                                     f"{order.created.size!r}")  # fmt: skip
            self.fills.append(
                BtFill(
                    symbol=name,
                    bar=len(order.data) - 1,
                    signal_bar=self._signal_bar.pop(order.ref),
                    side=side,
                    quantity=abs(float(order.executed.size)),
                    price=float(order.executed.price),
                    commission=float(order.executed.comm),
                    rule_price=float(order.data.open[0]),
                )
            )
        elif status in _FAILED:
            self.failures.append(
                f"{name}: backtrader {status.lower()} a {'buy' if side == BUY else 'sell'} of "
                f"{order.created.size!r} at bar {len(order.data) - 1}"
            )

    def notify_trade(self, trade: Any) -> None:
        if trade.isclosed:
            self.closed_pnl[trade.data._name].append(float(trade.pnlcomm))

    def pending(self) -> int:
        """Intents still waiting for a next open when the data ended."""
        return len(self._intents)
