"""The paper venue's float engine: the backtest kernel's per-symbol steps, one bar at a time.

Each method is the kernel function of the same role (``trademind.backtest.engine.kernel*``)
over a :class:`~trademind.brokers.paper.book.SymbolBook` instead of array rows, calling the same
rules of ``trademind.fills`` with the same float64 values in the same order, so that its fills
equal the backtest's to the last bit. What happens is appended to :attr:`Venue.notes`
(:mod:`trademind.brokers.paper.notes`) for the broker to journal and publish.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from trademind.brokers.paper.book import Atr, EntryOrder, ExitOrder, ReturnStd, SymbolBook
from trademind.brokers.paper.notes import Executed, Note, StateChanged
from trademind.brokers.paper.protective import trigger
from trademind.core.order_status import OrderStatus
from trademind.fills.cash import order_commission, shrink_to_cash
from trademind.fills.commission import affordable_quantity
from trademind.fills.latency import activation_bar
from trademind.fills.orders import (
    ORDER_LIMIT,
    ORDER_MARKET,
    ORDER_STOP_LIMIT,
    bar_fill,
    day_order_expired,
)
from trademind.fills.parts import entry_part, exit_part
from trademind.fills.protective import first_checked_bar, raised_peak
from trademind.fills.sizing import VolatilityTarget, entry_target
from trademind.fills.slippage import AtrSlippage, slipped_price

if TYPE_CHECKING:
    from trademind.brokers.paper.config import PaperConfig
    from trademind.core.market import Bar

NAN = math.nan
NO_CASH = "insufficient buying power"
DAILY_SUFFIXES = ("d", "w", "wk", "mo", "y")


class Venue:
    """The account's cash and every symbol's book; bars in, notes out."""

    def __init__(self, config: PaperConfig, cash: float, books: dict[str, SymbolBook]) -> None:
        self.config = config
        self.cash = cash
        self.books = books
        self.notes: list[Note] = []
        for symbol in config.symbols:
            self.book(symbol)

    def book(self, symbol: str) -> SymbolBook:
        """``symbol``'s book (a new one the first time). The books' order is the configured
        symbols' order, then first sight: the equity sums positions in it, as the kernel sums
        its symbol rows, so give ``symbols`` in the backtest's order when symbols start on
        different bars (float sums depend on their order)."""
        found = self.books.get(symbol)
        if found is None:
            found = self.books[symbol] = self._new_book(symbol)
        return found

    def _new_book(self, symbol: str) -> SymbolBook:
        book = SymbolBook(symbol)
        slippage, sizing = self.config.slippage, self.config.sizing
        if isinstance(slippage, AtrSlippage):
            book.slippage_atr = Atr(slippage.period)
        if isinstance(sizing, VolatilityTarget):
            if sizing.source == "atr":
                book.sizing_atr = Atr(sizing.period)
            else:
                book.sizing_std = ReturnStd(sizing.period)
        return book

    def equity(self) -> float:
        """Cash plus every position at its last close (the kernel's ``equity``)."""
        total = float(self.cash)
        for book in self.books.values():
            if book.position != 0.0:
                total += book.position * book.last_close
        return total

    # -- bars ---------------------------------------------------------------------------------

    def _advance(self, book: SymbolBook, bar: Bar) -> None:
        """A new bar of ``book``: its index, session and the volatility known at it."""
        index = book.bars
        book.bars += 1
        previous = book.previous_close
        if book.slippage_atr is not None:
            value = book.slippage_atr.update(index, (bar.high, bar.low, previous))
            book.atr_before = value if index == 0 else book.atr_at
            book.atr_at = value
        if book.sizing_atr is not None:
            book.volatility = book.sizing_atr.update(index, (bar.high, bar.low, previous))
        elif book.sizing_std is not None:
            book.volatility = book.sizing_std.update(index, (bar.close, previous))
        book.previous_close = bar.close
        book.session = self._session(index, bar)

    def _session(self, index: int, bar: Bar) -> int:
        if bar.timeframe.lower().endswith(DAILY_SUFFIXES):
            return index  # daily and longer bars: each bar is a session
        local = bar.ts.astimezone(ZoneInfo(self.config.session_timezone))
        return local.date().toordinal()

    def open_bar(self, bar: Bar) -> None:
        """The open and the inside of ``bar``: the working exit (next-open mode), the entry,
        then the protective exits (the kernel's ``open_phase``)."""
        book = self.book(bar.symbol)
        self._advance(book, bar)
        book.volume_used = 0.0
        index = book.index
        if book.exit is not None and book.exit.activation <= index and not self.config.close_mode:
            self._sell(book, bar, bar.open, NAN, book.atr_before)
        if book.entry is not None and book.entry.activation <= index:
            self._entry_in_bar(book, bar)
        if self.config.protected:
            trigger(self, book, bar)

    def close_bar(self, bar: Bar) -> None:
        """The close of ``bar``: last close, trailing peak, fills at the close (close mode)."""
        book = self.book(bar.symbol)
        index = book.index
        book.last_close = bar.close
        if book.position > 0.0 and index >= book.check_from:
            book.peak = raised_peak(book.peak, bar.high)
        if not self.config.close_mode:
            return
        if book.exit is not None and book.exit.activation <= index:
            self._sell(book, bar, bar.close, NAN, book.atr_at)
        entry = book.entry
        if entry is None or entry.activation > index or entry.order_type != ORDER_MARKET:
            return
        if self._alive(book, entry):
            self._buy(book, bar, (bar.close, NAN), False, book.atr_at)

    # -- orders -------------------------------------------------------------------------------

    def place_entry(
        self,
        book: SymbolBook,
        order_id: str,
        order_type: int,
        prices: tuple[float, float],
        time_in_force: int,
        *,
        cap: float = 0.0,
    ) -> None:
        """A BUY decided at the close of ``book``'s current bar (prices: ``(limit, stop)``);
        ``cap`` above 0 is the most it may fill (:attr:`PaperConfig.cap_entries`)."""
        at_close = self.config.close_mode and order_type == ORDER_MARKET
        activation = activation_bar(book.index, self.config.latency_bars, at_close)
        limit, stop = prices
        book.entry = EntryOrder(
            order_id, order_type, limit, stop, time_in_force, activation, book.volatility,
            cap=cap,
        )  # fmt: skip

    def place_exit(self, book: SymbolBook, order_id: str, kind: int, *, now: bool) -> None:
        """A SELL of the whole position: decided at the current bar's close (active per the
        latency), or ``now`` (a protective exit triggered inside the current bar)."""
        if now:
            activation = book.index
        else:
            activation = activation_bar(
                book.index, self.config.latency_bars, self.config.close_mode
            )
        if book.exit is not None:
            self._end_exit(book, OrderStatus.CANCELLED, f"replaced by {order_id}")
        book.exit = ExitOrder(order_id, activation, kind, book.position)
        if book.entry is not None:
            reason = f"cancelled: {order_id} closes the position"
            self._end_entry(book, OrderStatus.CANCELLED, reason)

    def cancel(self, book: SymbolBook, order_id: str, reason: str) -> bool:
        """Cancel ``order_id`` if it works at ``book``; False when it does not."""
        if book.entry is not None and book.entry.order_id == order_id:
            self._end_entry(book, OrderStatus.CANCELLED, reason)
            return True
        if book.exit is not None and book.exit.order_id == order_id:
            self._end_exit(book, OrderStatus.CANCELLED, reason)
            return True
        return False

    def _alive(self, book: SymbolBook, entry: EntryOrder) -> bool:
        """False (and the order expired) when a DAY entry's session has ended."""
        if entry.session < 0:
            entry.session = book.session
            return True
        if day_order_expired(entry.time_in_force, entry.session, book.session):
            self._end_entry(book, OrderStatus.EXPIRED, "a DAY order: its session ended")
            return False
        return True

    def _entry_in_bar(self, book: SymbolBook, bar: Bar) -> None:
        entry = book.entry
        if entry is None or not self._alive(book, entry):
            return
        if entry.order_type == ORDER_MARKET:
            if not self.config.close_mode:
                self._buy(book, bar, (bar.open, NAN), True, book.atr_before)
            return
        price, triggered = bar_fill(
            entry.order_type, True, entry.limit, entry.stop, entry.triggered,
            bar.open, bar.high, bar.low,
        )  # fmt: skip
        entry.triggered = bool(triggered)
        if math.isnan(price):
            return
        limit = entry.limit if entry.order_type in {ORDER_LIMIT, ORDER_STOP_LIMIT} else NAN
        self._buy(book, bar, (price, limit), price == bar.open, book.atr_before)

    # -- fills --------------------------------------------------------------------------------

    def _buy(
        self, book: SymbolBook, bar: Bar, rule: tuple[float, float], at_open: bool, atr: float
    ) -> None:
        """Fill (part of) the entry at rule price ``rule[0]`` with limit ``rule[1]`` (NaN:
        none): the kernel's ``buy``."""
        entry = book.entry
        if entry is None:
            return
        config = self.config
        raw, limit = rule
        slip = config.slippage
        price = slipped_price(
            slip.kind, slip.parameter(), raw, atr, True, limit, (bar.low, bar.high)
        )
        if entry.filled == 0.0:
            target = entry_target(
                config.sizing_tuple, config.commission_tuple, config.fractional_shares,
                price, self.cash, self.equity(), entry.volatility,
            )  # fmt: skip
            if not target > 0.0:
                self._end_entry(book, OrderStatus.REJECTED, self._no_size_reason(price))
                return
            entry.target = min(target, entry.cap) if entry.cap > 0.0 else target
        remaining = entry.target - entry.filled
        fractional = config.fractional_shares
        part = entry_part(remaining, bar.volume, book.volume_used, config.participation, fractional)
        if part <= 0.0:
            self._entry_state(book, entry, OrderStatus.OPEN)
            return  # no volume left in this bar: the order keeps working
        so_far = (entry.filled, entry.value, entry.commission)
        quantity, commission = shrink_to_cash(
            config.commission_tuple, fractional, part, price, self.cash, so_far
        )
        if quantity <= 0.0:
            self._end_entry(book, *self._cash_end(entry))
            return
        self._book_buy(book, bar, (raw, price), (quantity, commission), at_open)
        if quantity < part:  # cash ran out: the rest of the order is rejected
            self._end_entry(book, *self._cash_end(entry))
        elif part >= remaining:
            self._end_entry(book, OrderStatus.FILLED, None)
        else:
            self._entry_state(book, entry, OrderStatus.PARTIALLY_FILLED)

    def _book_buy(
        self,
        book: SymbolBook,
        bar: Bar,
        prices: tuple[float, float],
        fill: tuple[float, float],
        at_open: bool,
    ) -> None:
        entry = book.entry
        assert entry is not None
        raw, price = prices
        quantity, commission = fill
        value = quantity * price
        self.cash -= value + commission
        if book.entry_quantity == 0.0:  # a new round trip
            book.round_trip_order = entry.order_id
            book.protective_orders = 0
            book.check_from = first_checked_bar(book.index, at_open)
            book.peak = raw
        book.peak = raised_peak(book.peak, raw)
        book.position += quantity
        book.entry_quantity += quantity
        book.entry_value += value
        entry.filled += quantity
        entry.value += value
        entry.commission += commission
        book.volume_used += quantity
        self.notes.append(
            Executed(entry.order_id, book.symbol, True, quantity, price, commission, bar.ts)
        )

    def _sell(self, book: SymbolBook, bar: Bar, raw: float, limit: float, atr: float) -> None:
        """Fill (part of) the exit order at rule price ``raw``: the kernel's ``sell``."""
        order = book.exit
        if order is None:
            return
        config = self.config
        slip = config.slippage
        price = slipped_price(
            slip.kind, slip.parameter(), raw, atr, False, limit, (bar.low, bar.high)
        )
        held = book.position
        quantity = exit_part(
            held, bar.volume, book.volume_used, config.participation, config.fractional_shares
        )
        if quantity <= 0.0:
            return
        value = quantity * price
        commission = order_commission(
            config.commission_tuple, order.filled, order.value, order.commission, quantity, value
        )
        self.cash += value - commission
        order.filled += quantity
        order.value += value
        order.commission += commission
        book.volume_used += quantity
        self.notes.append(
            Executed(order.order_id, book.symbol, False, quantity, price, commission, bar.ts)
        )
        if quantity < held:
            book.position = held - quantity
            self._exit_state(order, OrderStatus.PARTIALLY_FILLED, None)
            return
        book.position = 0.0
        book.entry_quantity = 0.0
        book.entry_value = 0.0
        book.exit = None
        self._exit_state(order, OrderStatus.FILLED, None)

    def sell_now(self, book: SymbolBook, bar: Bar, raw: float, limit: float) -> None:
        """Sell inside ``bar`` at rule price ``raw`` (a protective exit just triggered)."""
        self._sell(book, bar, raw, limit, book.atr_before)

    # -- states -------------------------------------------------------------------------------

    def _no_size_reason(self, price: float) -> str:
        kind, a, b, c = self.config.commission_tuple
        affordable = affordable_quantity(kind, a, b, c, self.cash, price)
        whole = not self.config.fractional_shares
        if affordable <= 0.0 or (whole and affordable < 1.0):
            return NO_CASH
        return "the sizing rule gives no quantity (no volatility estimate yet, or only dust)"

    @staticmethod
    def _cash_end(entry: EntryOrder) -> tuple[OrderStatus, str]:
        if entry.filled > 0.0:  # part of it traded: the rest is refused
            return OrderStatus.CANCELLED, f"{NO_CASH}: the rest of the order was rejected"
        return OrderStatus.REJECTED, NO_CASH

    def _entry_state(self, book: SymbolBook, entry: EntryOrder, status: OrderStatus) -> None:
        quantity = entry.target if entry.target > 0.0 else None
        self.notes.append(StateChanged(entry.order_id, status, quantity, entry.filled, entry.value))

    def _end_entry(self, book: SymbolBook, status: OrderStatus, reason: str | None) -> None:
        entry = book.entry
        if entry is None:
            return
        book.entry = None
        quantity = entry.target if entry.target > 0.0 else None
        self.notes.append(
            StateChanged(entry.order_id, status, quantity, entry.filled, entry.value, reason)
        )

    def _exit_state(self, order: ExitOrder, status: OrderStatus, reason: str | None) -> None:
        self.notes.append(
            StateChanged(order.order_id, status, order.quantity, order.filled, order.value, reason)
        )

    def _end_exit(self, book: SymbolBook, status: OrderStatus, reason: str) -> None:
        order = book.exit
        if order is not None:
            book.exit = None
            self._exit_state(order, status, reason)
