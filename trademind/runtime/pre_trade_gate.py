"""The safety layer's gate in a trading session: :class:`PreTradeGate`.

It implements the router's :class:`~trademind.execution.gate.OrderGate`. For every order the
router is about to place (never a cancel):

1. the trading state (:class:`~trademind.runtime.state_gate.TradingStateGate`): a refusal there
   is final, with the state's reason (``trading state HALTED: ...``);
2. the emergency liquidation's and the monitored stop's sells of at most the quantity held
   (they only reduce) pass; an order merely carrying one of those decision ids (a buy, a sell
   of more than is held) goes on to the rules;
3. the pre-trade chain (:class:`~trademind.safety.chain.SafetyChain`, the enabled rules) on a
   :class:`~trademind.safety.context.PreTradeContext` built from the account and positions the
   broker reports (:class:`~trademind.execution.gate.GateView`), the symbol's last close seen
   (the reference price), the clock's time (the bar close in a replay), the orders this session
   sent recently and its recent fills (:class:`OrderHistory`), the symbols' sectors and the
   daily returns known at that time. The first rejection refuses the order:
   ``pre-trade rule <rule>: <reason>``.

An order that passes is remembered as sent (duplicate detection and the order rate count it).
Every verdict of the last check is kept (:attr:`PreTradeGate.last`) for the decision log and
tests. No price seen yet for the symbol refuses the order (``pre-trade rule
reference_price: ...``): a rule never values an order at a made-up price.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol

from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide
from trademind.core.values import decimal_from_float
from trademind.execution.gate import PRE_TRADE_PREFIX
from trademind.runtime.state_gate import ALWAYS_REDUCING
from trademind.safety.context import PreTradeContext, ReturnsHistory, SubmittedOrder

if TYPE_CHECKING:
    from trademind.core.events import BarClosed, OrderFilled
    from trademind.core.order_state import OrderState
    from trademind.execution.gate import GateView
    from trademind.runtime.state_gate import TradingStateGate
    from trademind.safety.chain import ChainResult, SafetyChain

NO_PRICE_RULE: Final = "reference_price"
HISTORY_DAYS: Final = timedelta(days=14)
"""How far back sent orders and fills are kept: beyond the longest window a rule reads (the
order rate and duplicate windows are at most a day; pattern day trading looks at five to thirty
business days, kept as the fills of the last ``window_days`` sessions by the caller's seed)."""


class ReturnsSource(Protocol):
    """Daily returns known at a time
    (:class:`~trademind.safety.returns_history.StoredDailyReturns`)."""

    def as_of(self, at: datetime) -> ReturnsHistory: ...


class OrderHistory:
    """The orders this account sent and the fills it got, for the last ``keep`` of time."""

    def __init__(self, keep: timedelta = HISTORY_DAYS) -> None:
        self._keep = keep
        self._orders: deque[SubmittedOrder] = deque()
        self._fills: deque[Fill] = deque()

    def seed(self, states: Iterable[OrderState], fills: Iterable[Fill]) -> None:
        """What a resumed session sent and got before (rejected orders were never sent)."""
        for state in sorted(states, key=lambda one: one.submitted_at):
            if state.status is not OrderStatus.REJECTED:
                self._orders.append(_submitted(state.order, state.submitted_at))
        self._fills.extend(sorted(fills, key=lambda fill: fill.ts))

    def sent(self, order: Order, at: datetime) -> None:
        self._orders.append(_submitted(order, at))
        self._trim(at)

    def filled(self, fill: Fill) -> None:
        self._fills.append(fill)

    def orders(self) -> tuple[SubmittedOrder, ...]:
        return tuple(self._orders)

    def fills(self) -> tuple[Fill, ...]:
        return tuple(self._fills)

    def _trim(self, now: datetime) -> None:
        oldest = now - self._keep
        while self._orders and self._orders[0].submitted_at < oldest:
            self._orders.popleft()
        while self._fills and self._fills[0].ts < oldest:
            self._fills.popleft()


def _always_reducing_sell(order: Order, view: GateView) -> bool:
    """The liquidation's or the monitored stop's sell of at most the quantity held: it passes
    without the rules. The decision id alone lets nothing through (a buy carrying it, or a sell
    of more than is held, goes through the rules like any order)."""
    if order.decision_id not in ALWAYS_REDUCING or order.side is not OrderSide.SELL:
        return False
    return order.quantity <= view.held(order.symbol)


def _submitted(order: Order, at: datetime) -> SubmittedOrder:
    return SubmittedOrder(
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        quantity=order.quantity,
        submitted_at=at,
    )


class PreTradeGate:
    """The trading state, then the pre-trade rules (module docstring)."""

    def __init__(
        self,
        state: TradingStateGate,
        chain: SafetyChain,
        now: Callable[[], datetime],
        *,
        account: str,
        sector_of: Callable[[str], str],
        returns: ReturnsSource | None,
        history: OrderHistory | None = None,
    ) -> None:
        self._state = state
        self._chain = chain
        self._now = now
        self._account = account
        self._sector_of = sector_of
        self._returns = returns
        self.history = history or OrderHistory()
        self._closes: dict[str, float] = {}
        self.last: ChainResult | None = None

    @property
    def state(self) -> TradingStateGate:
        return self._state

    def on_bar_closed(self, event: BarClosed) -> None:
        """Remember the close: the reference price of an order decided on this bar."""
        self._closes[event.bar.symbol] = event.bar.close

    def on_fill(self, event: OrderFilled) -> None:
        if event.account == self._account:
            self.history.filled(event.fill)

    def refusal(self, order: Order, view: GateView) -> str | None:
        refused = self._state.refusal(order, view)
        if refused is not None or _always_reducing_sell(order, view):
            return refused
        close = self._closes.get(order.symbol)
        if close is None:
            return f"{PRE_TRADE_PREFIX}{NO_PRICE_RULE}: no price seen for {order.symbol} yet"
        now = self._now()
        context = PreTradeContext(
            order=order,
            account=view.account,
            reference_price=decimal_from_float(close),
            now=now,
            positions=view.positions,
            sector_of=self._sector_of,
            recent_orders=self.history.orders(),
            fills=self.history.fills(),
            returns=None if self._returns is None else self._returns.as_of(now),
        )
        result = self._chain.check(context, self._state.current().state)
        self.last = result
        rejection = result.rejection
        if rejection is not None:
            return f"{PRE_TRADE_PREFIX}{rejection.rule}: {rejection.reason}"
        self.history.sent(order, now)
        return None
