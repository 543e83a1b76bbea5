"""The execution router: decisions in, broker orders out, every order's state tracked.

For each :class:`~trademind.core.decisions.Decision` the router asks the pure policy
(:mod:`trademind.execution.policy`, the backtest kernel's rule) what to do given the symbol's
position (from the broker) and working orders (from its :class:`OrderBook`), then places or
cancels through the :class:`~trademind.brokers.base.Broker`. Client order ids are
deterministic (:mod:`trademind.execution.order_ids`), so a resumed run re-derives them and the
broker's idempotent placing makes a repeat a no-op.

The runtime subscribes :meth:`ExecutionRouter.on_order_status` to
:class:`~trademind.core.events.OrderStatusChanged` and :meth:`ExecutionRouter.on_bar_closed` to
:class:`~trademind.core.events.BarClosed` (the close is the sizing reference price).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trademind.brokers.base import Broker, Publish, RecordsRefusals
from trademind.core.accounts import Account, Position
from trademind.core.decisions import Action, Decision, Signal
from trademind.core.errors import BrokerError
from trademind.core.events import BarClosed, OrderStatusChanged, OrderTransitionRefused
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.core.values import decimal_from_float
from trademind.execution.entry_orders import EntryOrders, Sizer, SizingRequest
from trademind.execution.gate import GateView, OrderGate
from trademind.execution.order_book import Applied, OrderBook
from trademind.execution.order_ids import client_order_id
from trademind.execution.policy import Intent, OrderIntent, SymbolOrders, order_intent
from trademind.execution.signals import decision_from_signal

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """What the router did for one decision: the policy's ``intent`` and the states of the
    order it placed and the order it cancelled (None where it did neither)."""

    decision: Decision
    intent: Intent
    placed: OrderState | None = None
    cancelled: OrderState | None = None


_HOLD = Intent(kind=OrderIntent.NOTHING, why="hold")


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioStatus:
    """The account as the broker reports it, with the orders still working."""

    account: Account
    positions: tuple[Position, ...]
    working_orders: tuple[OrderState, ...]


class ExecutionRouter:
    """Routes one account's decisions to its broker (module docstring)."""

    def __init__(
        self,
        broker: Broker,
        *,
        sizer: Sizer,
        entry_orders: EntryOrders | None = None,
        publish: Publish | None = None,
        gate: OrderGate | None = None,
    ) -> None:
        self._broker = broker
        self._publish = publish
        self._gate = gate
        self._sizer = sizer
        self._entry = entry_orders or EntryOrders()
        self._book = OrderBook()
        self._closes: dict[str, float] = {}
        self._closed_at: datetime | None = None
        self._sequence: dict[tuple[str, datetime], int] = {}

    @property
    def book(self) -> OrderBook:
        return self._book

    @property
    def account_id(self) -> str:
        return self._broker.account_id

    async def sync(self) -> None:
        """Load every order the broker knows (a resumed run continues from them)."""
        for state in await self._broker.get_orders():
            self._book.apply(state)

    async def on_order_status(self, event: OrderStatusChanged) -> None:
        """Track a state the broker reported (other accounts' events are ignored); a refused
        transition is published as :class:`OrderTransitionRefused` when a ``publish`` is given."""
        if event.account == self._broker.account_id:
            await self._track(event.state, event.occurred_at)

    def on_bar_closed(self, event: BarClosed) -> None:
        """Remember the close: the sizing reference of a decision on this bar."""
        self._closes[event.bar.symbol] = event.bar.close
        self._closed_at = event.occurred_at

    async def execute(self, decision: Decision) -> Execution:
        """Apply the policy to ``decision`` and place or cancel what it says."""
        if decision.vetoed:
            why = f"vetoed: {decision.veto_reason}"
            return Execution(decision=decision, intent=Intent(kind=OrderIntent.NOTHING, why=why))
        if decision.action is Action.HOLD:  # the policy places and cancels nothing on a hold
            return Execution(decision=decision, intent=_HOLD)
        intent = order_intent(decision.action, await self._symbol_orders(decision.symbol))
        cancelled = None
        if intent.cancel is not None:
            cancelled = await self.cancel_order(intent.cancel)
        placed = None
        if intent.kind is OrderIntent.PLACE_ENTRY:
            placed = await self._place_entry(decision)
        elif intent.kind is OrderIntent.PLACE_EXIT and intent.exit_quantity is not None:
            placed = await self._place_exit(decision, intent.exit_quantity)
        outcome = Execution(decision=decision, intent=intent, placed=placed, cancelled=cancelled)
        logger.debug("decision %s: %s (%s)", decision.decision_id, intent.kind, intent.why)
        return outcome

    async def execute_signal(self, signal: Signal, mode: TradingMode) -> Execution:
        """Execute a strategy's signal as its own decision (:func:`decision_from_signal`)."""
        return await self.execute(decision_from_signal(signal, mode))

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Cancel what is left of an order and track its new state."""
        state = await self._broker.cancel_order(client_order_id)
        await self._track(state, state.updated_at)
        return state

    async def get_portfolio_status(self) -> PortfolioStatus:
        account = await self._broker.get_account()
        positions = tuple(await self._broker.get_positions())
        return PortfolioStatus(
            account=account, positions=positions, working_orders=self._book.working()
        )

    async def _symbol_orders(self, symbol: str) -> SymbolOrders:
        held = Decimal(0)
        for position in await self._broker.get_positions():
            if position.symbol == symbol:
                held += position.quantity
        return SymbolOrders(
            position=held,
            working_entry=self._book.working_id(symbol, OrderSide.BUY),
            working_exit=self._book.working_id(symbol, OrderSide.SELL),
        )

    async def _place_entry(self, decision: Decision) -> OrderState | None:
        close = self._closes.get(decision.symbol)
        if close is None:
            raise BrokerError(
                f"no close seen for {decision.symbol}: cannot size the entry of decision "
                f"{decision.decision_id}"
            )
        account = await self._broker.get_account()
        positions = tuple(await self._broker.get_positions())
        request = SizingRequest(
            decision=decision, price=decimal_from_float(close), account=account, positions=positions
        )
        quantity = self._sizer(request)
        if quantity <= 0:
            logger.info("decision %s: sized to nothing, no entry order", decision.decision_id)
            return None
        order = self._entry.build(self._next_id(decision), decision, quantity, close)
        return await self._place(order)

    async def _place_exit(self, decision: Decision, quantity: Decimal) -> OrderState:
        order = Order(
            client_order_id=self._next_id(decision),
            symbol=decision.symbol,
            side=OrderSide.SELL,
            quantity=quantity,
            order_type=OrderType.MARKET,
            decision_id=decision.decision_id,
        )
        return await self._place(order)

    async def place(self, order: Order) -> OrderState:
        """Place ``order`` when the gate lets it through, else record it as rejected with the
        gate's reason (it never reaches the venue); its state either way."""
        return await self._place(order)

    async def _place(self, order: Order) -> OrderState:
        if self._gate is not None:
            reason = self._gate.refusal(order, await self._gate_view())
            if reason is not None:
                return await self._refuse(order, reason)
        state = await self._broker.place_order(order)
        await self._track(state, state.updated_at)
        return state

    async def _gate_view(self) -> GateView:
        account = await self._broker.get_account()
        positions = {p.symbol: p for p in await self._broker.get_positions()}
        return GateView(account=account, positions=positions)

    async def _refuse(self, order: Order, reason: str) -> OrderState:
        logger.info("order %s refused: %s", order.client_order_id, reason)
        if isinstance(self._broker, RecordsRefusals):
            state = await self._broker.refuse_order(order, reason)
        else:  # a broker that keeps no refusals: the event is the record
            state = _rejected(order, reason, await self._now())
            if self._publish is not None:
                changed = OrderStatusChanged(
                    occurred_at=state.updated_at, account=self.account_id, state=state
                )
                await self._publish(changed)
        await self._track(state, state.updated_at)
        return state

    async def _now(self) -> datetime:
        if self._closed_at is None:
            raise BrokerError(f"{self.account_id}: no bar close seen to refuse an order at")
        return self._closed_at

    async def _track(self, state: OrderState, when: datetime) -> None:
        known = self._book.get(state.client_order_id)
        if self._book.apply(state) is not Applied.REFUSED or known is None:
            return
        if self._publish is not None:
            refused = OrderTransitionRefused(
                occurred_at=when,
                account=self._broker.account_id,
                client_order_id=state.client_order_id,
                current=known.status,
                reported=state.status,
            )
            await self._publish(refused)

    def _next_id(self, decision: Decision) -> str:
        key = (decision.symbol, decision.decided_at)
        if self._sequence and next(iter(self._sequence))[1] != decision.decided_at:
            self._sequence.clear()  # a new decision time: earlier counters are done with
        sequence = self._sequence.get(key, 0)
        self._sequence[key] = sequence + 1
        return client_order_id(
            self._broker.account_id, decision.symbol, decision.decided_at, sequence
        )


def _rejected(order: Order, reason: str, when: datetime) -> OrderState:
    return OrderState(
        order=order,
        status=OrderStatus.REJECTED,
        quantity=order.quantity,
        filled_quantity=Decimal(0),
        average_fill_price=None,
        submitted_at=when,
        updated_at=when,
        reason=reason,
    )
