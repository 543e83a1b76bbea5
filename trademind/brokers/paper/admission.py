"""Which orders the paper venue takes: the rejections with their reasons, and the order's
fields as the venue's float codes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from trademind.core.orders import Order, OrderSide, OrderType, TimeInForce
from trademind.fills.orders import (
    ORDER_LIMIT,
    ORDER_MARKET,
    ORDER_STOP,
    ORDER_STOP_LIMIT,
    TIF_DAY,
    TIF_GTC,
)

if TYPE_CHECKING:
    from trademind.brokers.paper.book import SymbolBook
    from trademind.brokers.paper.venue import Venue

ORDER_TYPES: Final = {
    OrderType.MARKET: ORDER_MARKET,
    OrderType.LIMIT: ORDER_LIMIT,
    OrderType.STOP: ORDER_STOP,
    OrderType.STOP_LIMIT: ORDER_STOP_LIMIT,
}
TIMES_IN_FORCE: Final = {TimeInForce.DAY: TIF_DAY, TimeInForce.GTC: TIF_GTC}
INSUFFICIENT_BUYING_POWER: Final = "insufficient buying power"
MARKET_CLOSED: Final = "market closed"


def refusal(venue: Venue, order: Order, *, market_open: bool) -> str | None:
    """Why the venue refuses ``order`` (None: it takes it)."""
    symbol = order.symbol
    allowed = venue.config.symbols
    if allowed and symbol not in allowed:
        return f"unknown symbol {symbol} (this account trades {', '.join(allowed)})"
    if not market_open:
        return MARKET_CLOSED
    book = venue.books.get(symbol)
    if book is None or book.bars == 0:
        return f"no quote for {symbol}: no bar seen yet"
    if order.side is OrderSide.SELL:
        return _sell_refusal(book, order)
    return _buy_refusal(venue, book)


def _sell_refusal(book: SymbolBook, order: Order) -> str | None:
    if order.order_type is not OrderType.MARKET:
        return (
            "a sell is a market order for the whole position (stop-loss, take-profit and "
            "trailing stop are the account's protective exits)"
        )
    if book.position <= 0.0:
        return f"no position in {book.symbol} to sell"
    if book.exit is not None:
        return f"an exit order for {book.symbol} is already working ({book.exit.order_id})"
    return None


def _buy_refusal(venue: Venue, book: SymbolBook) -> str | None:
    if book.exit is not None:
        return f"an exit order for {book.symbol} is working ({book.exit.order_id})"
    if book.entry is not None:
        return f"an entry order for {book.symbol} is already working ({book.entry.order_id})"
    holding = any(other.position > 0.0 for other in venue.books.values())
    if venue.cash <= 0.0 and not holding:  # nothing can bring cash before it would fill
        return INSUFFICIENT_BUYING_POWER
    return None


def order_prices(order: Order) -> tuple[float, float]:
    """``(limit, stop)`` as floats (NaN where the order has none)."""
    limit = math.nan if order.limit_price is None else float(order.limit_price)
    stop = math.nan if order.stop_price is None else float(order.stop_price)
    return limit, stop
