"""Fakes for the safety layer: :class:`WeekdaySessions` (a session calendar without
exchange_calendars: every weekday, 09:30-16:00 New York time, no holidays) and
:func:`pre_trade_context`, a context builder with an account of plain numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from trademind.core.accounts import Account, Position
from trademind.core.orders import Fill, Order, OrderSide, OrderType
from trademind.safety.context import PreTradeContext, ReturnsHistory, SubmittedOrder

NEW_YORK = ZoneInfo("America/New_York")


class WeekdaySessions:
    """Sessions on every weekday from 09:30 to 16:00 New York time (no holidays)."""

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(NEW_YORK)
        return local.weekday() < 5 and time(9, 30) <= local.time() < time(16, 0)

    def session_date(self, at: datetime) -> str:
        return at.astimezone(NEW_YORK).date().isoformat()

    def session_dates(self, at: datetime, count: int) -> Sequence[str]:
        day = at.astimezone(NEW_YORK).date()
        dates: list[str] = []
        while len(dates) < count:
            if day.weekday() < 5:
                dates.append(day.isoformat())
            day -= timedelta(days=1)
        return dates[::-1]


def pre_trade_context(
    *,
    symbol: str = "AAPL",
    side: OrderSide | str = OrderSide.BUY,
    quantity: int | str | Decimal = 10,
    price: int | str | Decimal = 100,
    now: datetime,
    equity: int | str | Decimal = 100_000,
    cash: int | str | Decimal | None = None,
    buying_power: int | str | Decimal | None = None,
    positions: Mapping[str, tuple[int | str | Decimal, int | str | Decimal]] | None = None,
    sectors: Mapping[str, str] | None = None,
    recent_orders: Sequence[SubmittedOrder] = (),
    fills: Sequence[Fill] = (),
    client_order_id: str = "order-1",
    limit_price: int | str | Decimal | None = None,
    returns: ReturnsHistory | None = None,
) -> PreTradeContext:
    """A context for one order; ``positions`` maps a symbol to (signed quantity, price)."""
    held = {
        name: Position(
            symbol=name,
            quantity=Decimal(qty),
            avg_cost=Decimal(mark),
            market_price=Decimal(mark),
        )
        for name, (qty, mark) in (positions or {}).items()
    }
    order = Order(
        client_order_id=client_order_id,
        symbol=symbol,
        side=OrderSide(side),
        quantity=Decimal(quantity),
        order_type=OrderType.MARKET if limit_price is None else OrderType.LIMIT,
        limit_price=None if limit_price is None else Decimal(limit_price),
    )
    account = Account(
        account_id="test",
        cash=Decimal(equity if cash is None else cash),
        portfolio_value=Decimal(equity),
        buying_power=Decimal(equity if buying_power is None else buying_power),
    )
    table = dict(sectors or {})
    sector_of: Callable[[str], str] = lambda name: table.get(name, "unknown")  # noqa: E731
    return PreTradeContext(
        order=order,
        account=account,
        reference_price=Decimal(price),
        now=now,
        positions=held,
        sector_of=sector_of,
        recent_orders=recent_orders,
        fills=fills,
        returns=returns,
    )
