"""The paper broker: :class:`PaperBroker`, a Broker and SimulatedVenue over the float venue.

See the package docstring for the semantics. This module is the boundary: it validates orders
at the port, keeps every order's latest :class:`~trademind.core.order_state.OrderState`,
saves the venue's working state after every bar step and every order placed or cancelled,
together with the order states and fills the step produced (its outbox), then journals those
and only then publishes their events (:mod:`~trademind.brokers.paper.outbox`: why, and what a
restart after a crash does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from trademind.brokers.base import Publish, validate_order
from trademind.brokers.paper import admission, outbox
from trademind.brokers.paper.book import from_document, to_document
from trademind.brokers.paper.decimals import (
    account_of,
    changed_state,
    fill_of,
    new_state,
    position_of,
    same_report,
)
from trademind.brokers.paper.notes import Executed, NewOrder, Note, StateChanged
from trademind.brokers.paper.outbox import OUTBOX_KEY
from trademind.brokers.paper.venue import Venue
from trademind.core.errors import BrokerError
from trademind.core.events import AccountUpdated, Event, OrderFilled, OrderStatusChanged
from trademind.core.order_status import OrderStatus, can_transition
from trademind.core.orders import OrderSide
from trademind.fills.protective import EXIT_SIGNAL

if TYPE_CHECKING:
    from trademind.brokers.paper.config import PaperConfig
    from trademind.core.accounts import Account, Position
    from trademind.core.clock import Clock
    from trademind.core.market import Bar
    from trademind.core.order_state import OrderState
    from trademind.core.orders import Order
    from trademind.core.ports import BrokerJournal

STATE_NAME: Final = "paper_venue"
STATE_VERSION: Final = 1
CANCELLED_BY_REQUEST: Final = "cancelled by request"
PROTECTION_OFF: Final = 2**62
"""A ``check_from`` bar no round trip reaches: its protective exits never trigger."""


class PaperBroker:
    """A simulated account whose fills are the backtest's (package docstring)."""

    def __init__(
        self, config: PaperConfig, *, journal: BrokerJournal, publish: Publish, clock: Clock
    ) -> None:
        self._config = config
        self._journal = journal
        self._publish = publish
        self._clock = clock
        self._connected = False
        account = config.account_id
        saved = journal.load_state(account, STATE_NAME)
        outbox.record(journal, account, outbox.from_documents((saved or {}).get(OUTBOX_KEY)))
        self._states = {s.client_order_id: s for s in journal.load_orders(account)}
        self._venue, self._executions = _restored(config, saved)
        self._outbox: list[outbox.Entry] = []
        self._events: list[Event] = []
        self._one_write = False

    @property
    def name(self) -> str:
        return "paper"

    @property
    def account_id(self) -> str:
        return self._config.account_id

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False

    def is_connected(self) -> bool:
        return self._connected

    async def place_order(self, order: Order) -> OrderState:
        validate_order(
            order, order_types=admission.ORDER_TYPES, times_in_force=admission.TIMES_IN_FORCE
        )
        known = self._states.get(order.client_order_id)
        if known is not None:  # idempotent: the same client order id is one order
            return known
        self._require_connected()
        now = self._clock.now()
        market_open = self._config.is_market_open is None or self._config.is_market_open(now)
        reason = admission.refusal(self._venue, order, market_open=market_open)
        status = OrderStatus.REJECTED if reason else OrderStatus.OPEN
        self._store(new_state(order, now, status, reason))
        if reason is None:
            self._enter(order)
            self._flush()
        await self._commit()
        return self._states[order.client_order_id]

    def _enter(self, order: Order) -> None:
        book = self._venue.book(order.symbol)
        if order.side is OrderSide.SELL:
            self._venue.place_exit(book, order.client_order_id, EXIT_SIGNAL, now=False)
            return
        self._venue.place_entry(
            book,
            order.client_order_id,
            admission.ORDER_TYPES[order.order_type],
            admission.order_prices(order),
            admission.TIMES_IN_FORCE[order.time_in_force],
            cap=float(order.quantity) if self._config.cap_entries else 0.0,
        )

    async def cancel_order(self, client_order_id: str) -> OrderState:
        state = self._states.get(client_order_id)
        if state is None:
            raise BrokerError(f"{self.account_id}: unknown order {client_order_id}")
        if state.status.is_terminal:
            return state
        book = self._venue.book(state.order.symbol)
        if self._venue.cancel(book, client_order_id, CANCELLED_BY_REQUEST):
            self._flush()
            await self._commit()
        return self._states[client_order_id]

    async def refuse_order(self, order: Order, reason: str) -> OrderState:
        """Record ``order`` as rejected with ``reason`` without sending it to the venue (the
        safety layer refused it); journaled and published like a venue rejection."""
        known = self._states.get(order.client_order_id)
        if known is not None:
            return known
        self._store(new_state(order, self._clock.now(), OrderStatus.REJECTED, reason))
        await self._commit()
        return self._states[order.client_order_id]

    async def cancel_all(self, reason: str) -> list[OrderState]:
        """Cancel every working order with ``reason`` and disarm the protective exits of the
        open positions (no stop-loss, trailing stop or take-profit triggers again in their
        round trips; a new round trip arms its own): an emergency stop."""
        cancelled: list[str] = []
        for book in self._venue.books.values():
            for order in (book.entry, book.exit):
                if order is not None and self._venue.cancel(book, order.order_id, reason):
                    cancelled.append(order.order_id)
            book.check_from = PROTECTION_OFF
        self._flush()
        await self._commit()
        return [self._states[order_id] for order_id in cancelled]

    async def get_positions(self) -> list[Position]:
        return [
            position_of(book.symbol, book.position, book.entry_value / book.entry_quantity,
                        book.last_close if book.last_close > 0.0 else book.previous_close)
            for book in self._venue.books.values()
            if book.position > 0.0
        ]  # fmt: skip

    async def get_account(self) -> Account:
        return account_of(self.account_id, self._venue.cash, self._venue.equity())

    async def get_orders(self, status: OrderStatus | None = None) -> list[OrderState]:
        return [s for s in self._states.values() if status is None or s.status is status]

    async def open_bars(self, bars: Sequence[Bar]) -> None:
        """Each bar's open and inside, per symbol in the order given (package docstring)."""
        for bar in bars:
            self._check_symbol(bar.symbol)
            self._venue.open_bar(bar)
            self._flush()
        await self._commit()

    async def close_bars(self, bars: Sequence[Bar]) -> None:
        """Each bar's close, per symbol in the order given (package docstring)."""
        for bar in bars:
            book = self._venue.books.get(bar.symbol)
            if book is None or book.bars == 0:
                raise BrokerError(f"{self.account_id}: close of {bar.symbol} before its open")
            self._venue.close_bar(bar)
            self._flush()
        await self._commit()
        await self._publish(
            AccountUpdated(occurred_at=self._clock.now(), account=await self.get_account())
        )

    def _check_symbol(self, symbol: str) -> None:
        allowed = self._config.symbols
        if allowed and symbol not in allowed:
            raise BrokerError(f"{self.account_id}: a bar of {symbol}, which it does not trade")

    def _require_connected(self) -> None:
        if not self._connected:
            raise BrokerError(f"paper broker {self.account_id} is not connected")

    def _flush(self) -> None:
        notes, self._venue.notes = self._venue.notes, []
        for note in notes:
            self._apply(note)

    def _apply(self, note: Note) -> None:
        now = self._clock.now()
        if isinstance(note, NewOrder):
            self._store(new_state(note.order, now, OrderStatus.OPEN, None))
        elif isinstance(note, Executed):
            self._executions += 1
            fill = fill_of(note, f"{self.account_id[:40]}-{self._executions}")
            self._outbox.append(fill)
            self._events.append(OrderFilled(occurred_at=now, account=self.account_id, fill=fill))
        elif isinstance(note, StateChanged):
            previous = self._states[note.order_id]
            state = changed_state(previous, note, now)
            if same_report(previous, state):
                return
            moved = state.status is not previous.status
            if moved and not can_transition(previous.status, state.status):
                raise BrokerError(  # a bug of the venue, never a user's doing
                    f"order {note.order_id}: {previous.status} -> {state.status} is not a "
                    "transition an order may make"
                )
            self._store(state)

    def _store(self, state: OrderState) -> None:
        self._states[state.client_order_id] = state
        self._outbox.append(state)
        self._events.append(
            OrderStatusChanged(occurred_at=state.updated_at, account=self.account_id, state=state)
        )

    @contextmanager
    def one_write(self) -> Iterator[None]:
        """Every venue step inside the block (bars opened and closed, orders placed or
        cancelled) in one journal transaction, the venue state saved once, as the block ends:
        what a replay's loop wraps each of its steps in (with the step's snapshot).

        The order states and fills go straight to the journal (the transaction makes them and
        the state one write, so no outbox is needed); the events are published as the steps
        happen, before the commit: a crash takes them and the whole block back together (the
        subscribers live in this process), and a resume does the block again."""
        if self._one_write:
            yield
            return
        with self._journal.transaction():
            self._one_write = True
            try:
                yield
                self._save([])
            finally:
                self._one_write = False

    async def _commit(self) -> None:
        """Save the venue state with the step's outbox (one write), journal the outbox, then
        publish the step's events (:mod:`~trademind.brokers.paper.outbox`); inside
        :meth:`one_write` the state is saved when the block ends."""
        entries, self._outbox = self._outbox, []
        events, self._events = self._events, []
        if not self._one_write:
            self._save(entries)
        outbox.record(self._journal, self.account_id, entries)
        for event in events:
            await self._publish(event)

    def _save(self, entries: list[outbox.Entry]) -> None:
        venue = self._venue
        document: dict[str, Any] = {
            "version": STATE_VERSION,
            "cash": venue.cash,
            "executions": self._executions,
            "books": [to_document(book) for book in venue.books.values()],
            OUTBOX_KEY: outbox.to_documents(entries),
        }
        self._journal.save_state(self.account_id, STATE_NAME, document)


def _restored(config: PaperConfig, document: dict[str, Any] | None) -> tuple[Venue, int]:
    """The venue (and the execution counter) a saved document describes, or a new one."""
    if document is None:
        return Venue(config, float(config.initial_cash), {}), 0
    if document.get("version") != STATE_VERSION:
        raise BrokerError(f"{config.account_id}: unknown paper venue state {document!r:.80}")
    books = [from_document(data) for data in document["books"]]
    venue = Venue(config, float(document["cash"]), {book.symbol: book for book in books})
    return venue, int(document["executions"])
