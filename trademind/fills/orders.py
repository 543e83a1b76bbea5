"""Order fill rules within one bar's OHLC, with gap-through, and time in force.

A bar is one stretch of trading: its open is the first price, then the price wanders between
low and high, and nothing is known about the order in which low and high were reached. The rules
therefore only assume what any path through the bar must do:

* market: fills at the open.
* limit (buy at L): open <= L fills at the open (gapped through the limit: the better price);
  otherwise low <= L fills at L. Sells mirror it (open >= L, then high >= L).
* stop (buy at S): open >= S fills at the open (a buy stop at 100 on a bar opening at 105 fills
  at 105); otherwise high >= S fills at S. Sells mirror it.
* stop-limit (buy, stop S, limit L): triggers like a stop; once triggered it is a limit order.
  Triggered at the open, it fills at the open if open <= L, else at L if low <= L. Triggered
  inside the bar, the price passed S on its way up, so it fills at S when S <= L; with L < S the
  price must come back down to L after the trigger, which the bar cannot tell, so it waits for
  the next bar (as a triggered limit order).

Time in force: GTC works until filled or cancelled; DAY expires at the end of the session of
its first active bar (bars are sessions: no order fills between bars, and an order only fills on
its own symbol's bars). A bar's session: for daily and longer bars (the backtest: a median bar
spacing of at least 20 hours; the paper broker: the bar's timeframe) each bar is its own
session; for intraday bars it is the bar's calendar date in the session time zone
(``America/New_York`` by default). The session of a DAY order is taken the first time it is
checked in an active bar (at that bar's open, or its close for a close-mode market order); at
a later bar of another session it expires before anything else happens to it
(:func:`day_order_expired`). Exit orders have no time in force: they work until the position
is flat.

Order prices come from a reference price (the signal bar's close) and offsets (fractions):
buy limit ``ref * (1 - limit_offset)``, buy stop ``ref * (1 + stop_offset)``, buy stop-limit
stop ``ref * (1 + stop_offset)`` and limit ``stop * (1 + limit_offset)``; sells mirror them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from trademind.fills import checks
from trademind.fills.jit import njit

ORDER_MARKET: Final = 0
ORDER_LIMIT: Final = 1
ORDER_STOP: Final = 2
ORDER_STOP_LIMIT: Final = 3
TIF_DAY: Final = 0
TIF_GTC: Final = 1
NAN: Final = math.nan

OrderTypeName = Literal["market", "limit", "stop", "stop_limit"]
TimeInForceName = Literal["day", "gtc"]
ORDER_TYPES: Final[dict[str, int]] = {
    "market": ORDER_MARKET,
    "limit": ORDER_LIMIT,
    "stop": ORDER_STOP,
    "stop_limit": ORDER_STOP_LIMIT,
}
TIMES_IN_FORCE: Final[dict[str, int]] = {"day": TIF_DAY, "gtc": TIF_GTC}


@njit
def limit_fill(is_buy: bool, limit: float, open_: float, high: float, low: float) -> float:
    """Fill price of a limit order in this bar, NaN when it does not fill."""
    if is_buy:
        if open_ <= limit:
            return open_
        if low <= limit:
            return limit
    else:
        if open_ >= limit:
            return open_
        if high >= limit:
            return limit
    return NAN


@njit
def stop_fill(is_buy: bool, stop: float, open_: float, high: float, low: float) -> float:
    """Fill price of a stop (market once triggered) order in this bar, NaN when not triggered."""
    if is_buy:
        if open_ >= stop:
            return open_
        if high >= stop:
            return stop
    else:
        if open_ <= stop:
            return open_
        if low <= stop:
            return stop
    return NAN


@njit
def _stop_limit_fill(  # noqa: PLR0917 - numba functions take positional arguments
    is_buy: bool, limit: float, stop: float, triggered: bool, open_: float, high: float, low: float
) -> tuple[float, bool]:
    if triggered:
        return limit_fill(is_buy, limit, open_, high, low), True
    at_open = open_ >= stop if is_buy else open_ <= stop
    if at_open:
        return limit_fill(is_buy, limit, open_, high, low), True
    inside = high >= stop if is_buy else low <= stop
    if not inside:
        return NAN, False
    marketable = stop <= limit if is_buy else stop >= limit
    return (stop if marketable else NAN), True


@njit
def bar_fill(  # noqa: PLR0917
    order_type: int,
    is_buy: bool,
    limit: float,
    stop: float,
    triggered: bool,
    open_: float,
    high: float,
    low: float,
) -> tuple[float, bool]:
    """``(fill price or NaN, triggered)`` of an order working through one bar.

    ``triggered`` carries a stop-limit's trigger from earlier bars. A fill is *at the open*
    exactly when the returned price equals ``open_``.
    """
    if order_type == ORDER_MARKET:
        return open_, triggered
    if order_type == ORDER_LIMIT:
        return limit_fill(is_buy, limit, open_, high, low), triggered
    if order_type == ORDER_STOP:
        price = stop_fill(is_buy, stop, open_, high, low)
        return price, not math.isnan(price)
    return _stop_limit_fill(is_buy, limit, stop, triggered, open_, high, low)


@njit
def order_prices(
    order_type: int, is_buy: bool, reference: float, limit_offset: float, stop_offset: float
) -> tuple[float, float]:
    """``(limit, stop)`` of an order placed relative to ``reference`` (NaN where unused)."""
    sign = 1.0 if is_buy else -1.0
    if order_type == ORDER_LIMIT:
        return reference * (1.0 - sign * limit_offset), NAN
    if order_type == ORDER_STOP:
        return NAN, reference * (1.0 + sign * stop_offset)
    if order_type == ORDER_STOP_LIMIT:
        stop = reference * (1.0 + sign * stop_offset)
        return stop * (1.0 + sign * limit_offset), stop
    return NAN, NAN


@njit
def day_order_expired(time_in_force: int, activation_session: int, session: int) -> bool:
    """Whether a working order is dead at a bar of ``session``."""
    return time_in_force == TIF_DAY and session != activation_session


@dataclass(frozen=True)
class OrderSpec:
    """How an intent becomes an order: type, offsets from the reference price, time in force."""

    order_type: OrderTypeName = "market"
    limit_offset: float = 0.0
    stop_offset: float = 0.0
    time_in_force: TimeInForceName = "day"

    def __post_init__(self) -> None:
        checks.choice("order type", self.order_type, tuple(ORDER_TYPES))
        checks.choice("time in force", self.time_in_force, tuple(TIMES_IN_FORCE))
        checks.in_range("limit offset", self.limit_offset, 0.0, 1.0, high_open=True)
        checks.in_range("stop offset", self.stop_offset, 0.0, 1.0, high_open=True)

    @property
    def type_code(self) -> int:
        return ORDER_TYPES[self.order_type]

    @property
    def tif_code(self) -> int:
        return TIMES_IN_FORCE[self.time_in_force]

    def prices(self, reference: float, *, is_buy: bool) -> tuple[float, float]:
        """``(limit, stop)`` for an order placed when the price is ``reference``."""
        limit, stop = order_prices(
            self.type_code, is_buy, reference, self.limit_offset, self.stop_offset
        )
        return float(limit), float(stop)

    def fill(
        self,
        bar: tuple[float, float, float],
        *,
        is_buy: bool,
        limit: float = NAN,
        stop: float = NAN,
        triggered: bool = False,
    ) -> tuple[float, bool]:
        """``(price or NaN, triggered)`` of this order in a bar given as ``(open, high, low)``."""
        open_, high, low = bar
        price, now_triggered = bar_fill(
            self.type_code, is_buy, limit, stop, triggered, open_, high, low
        )
        return float(price), bool(now_triggered)
