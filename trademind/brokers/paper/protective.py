"""Protective exits as venue-managed orders (like IB's attached orders).

Stop-loss, trailing stop and take-profit are levels attached to the position
(``trademind.fills.protective``). When one triggers inside a bar, the venue places a SELL of
the whole position with a client order id derived from the order that opened the round trip:
``<entry id>.sl`` (stop-loss), ``.ts`` (trailing stop) or ``.tp`` (take-profit), ``.sl2``...
for a later one in the same round trip (a trigger whose sale the volume cap left unfilled is
replaced by the next bar's trigger). A triggered stop is a MARKET order (it sells at the open
on a gap, else at the stop level); a take-profit is a LIMIT order at the target. It is
published and journaled like any other order and fills like one in the same bar.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from trademind.brokers.paper.notes import NewOrder
from trademind.core.orders import ID_MAX_LENGTH, Order, OrderSide, OrderType
from trademind.fills.protective import (
    EXIT_STOP_LOSS,
    EXIT_TAKE_PROFIT,
    EXIT_TRAILING,
    protective_exit,
)

if TYPE_CHECKING:
    from trademind.brokers.paper.book import SymbolBook
    from trademind.brokers.paper.venue import Venue
    from trademind.core.market import Bar

SUFFIXES: Final = {EXIT_STOP_LOSS: "sl", EXIT_TRAILING: "ts", EXIT_TAKE_PROFIT: "tp"}


def protective_order_id(entry_id: str, kind: int, number: int) -> str:
    """The client order id of the ``number``-th (from 1) protective exit of a round trip."""
    suffix = SUFFIXES[kind] + ("" if number == 1 else str(number))
    return f"{entry_id[: ID_MAX_LENGTH - len(suffix) - 1]}.{suffix}"


def trigger(venue: Venue, book: SymbolBook, bar: Bar) -> None:
    """Check ``book``'s protective exits inside ``bar`` and sell on a trigger (the kernel's
    ``_protect``: not while flat, before the first checked bar, or while an exit order of the
    position is partly filled)."""
    exiting = book.exit is not None and book.exit.filled > 0.0
    if book.position <= 0.0 or book.index < book.check_from or exiting:
        return
    average = book.entry_value / book.entry_quantity
    levels = venue.config.protective_levels
    raw, kind, limit = protective_exit(average, book.peak, levels, bar.open, bar.high, bar.low)
    if math.isnan(raw):
        return
    book.protective_orders += 1
    order_id = protective_order_id(book.round_trip_order, kind, book.protective_orders)
    take_profit = kind == EXIT_TAKE_PROFIT
    order = Order(
        client_order_id=order_id,
        symbol=book.symbol,
        side=OrderSide.SELL,
        quantity=Decimal(repr(book.position)),
        order_type=OrderType.LIMIT if take_profit else OrderType.MARKET,
        limit_price=Decimal(repr(limit)) if take_profit else None,
    )
    venue.notes.append(NewOrder(order))
    venue.place_exit(book, order_id, kind, now=True)
    venue.sell_now(book, bar, raw, limit)
