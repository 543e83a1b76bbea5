"""Property: an entry the risk sizing sized passes the limits it caps.

Through the router: a BUY decision, :class:`~trademind.agents.risk_sizing.RiskSizer` over an
inner sizer asking for any quantity, and a :class:`PreTradeGate` whose chain holds the five
rules the sizing caps (``max_order_quantity``, ``max_order_value``, ``max_position_size``,
``buying_power``, ``portfolio_heat``). Whatever the limits, the cash, the other positions and
the price, a quantity the sizer gives (above zero) reaches the broker, and it satisfies those
limits recomputed by ``support.safety_oracle``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from support.recording_broker import RecordingBroker
from support.safety_oracle import Snapshot, violations

from trademind.agents.risk_sizing import EntryLimits, RiskSizer
from trademind.config.sections_trading import SafetySettings
from trademind.core.clock import TestClock
from trademind.core.decisions import Action, Decision
from trademind.core.events import BarClosed
from trademind.core.market import Bar, TradingMode
from trademind.core.trading_state import TradingState
from trademind.execution.entry_orders import SizingRequest
from trademind.execution.router import ExecutionRouter
from trademind.runtime.pre_trade_gate import PreTradeGate
from trademind.runtime.state_gate import TradingStateGate
from trademind.safety.catalogue import build_chain
from trademind.safety.state_store import CurrentState
from trademind.testing.safety import WeekdaySessions

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
SIZED_RULES = ("max_order_quantity", "max_order_value", "max_position_size", "buying_power",
               "portfolio_heat")  # fmt: skip
OTHER_RULES = ["max_positions", "sector_concentration", "duplicate_order", "order_rate",
               "market_hours", "pattern_day_trader", "volatility", "correlation_limit",
               "beta_adjusted_size", "portfolio_var", "portfolio_cvar"]  # fmt: skip


class Active:
    def current(self, account_id: int) -> CurrentState:
        return CurrentState(account_id=account_id, state=TradingState.ACTIVE)


@st.composite
def limits(draw: st.DrawFn) -> SafetySettings:
    size = draw(st.sampled_from([0.05, 0.1, 0.2, 0.5, 1.0]))
    stop = draw(st.sampled_from([0.02, 0.05, 0.1]))
    return SafetySettings.model_validate({
        "max_order_value": draw(st.integers(1, 100_000)),
        "max_order_quantity": draw(st.integers(1, 5_000)),
        "max_position_size": size,
        "max_sector_concentration": 1.0,
        "default_stop_loss": stop,
        "max_portfolio_heat": min(1.0, size * stop * draw(st.sampled_from([1.0, 1.7, 100.0]))),
        "buying_power_buffer": draw(st.sampled_from([0.0, 0.01, 0.05])),
        "disabled_rules": OTHER_RULES,
    })  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    cfg=limits(),
    cash=st.integers(0, 2_000_000),
    cents=st.integers(1, 100_000),
    asked=st.integers(1, 1_000_000),
    others=st.dictionaries(
        st.sampled_from(["MSFT", "XOM", "JNJ"]),
        st.tuples(st.integers(-2_000, 2_000), st.integers(1, 50_000)),
        max_size=3,
    ),
)
def test_every_sized_entry_passes_the_rules_the_sizing_caps(
    cfg: SafetySettings,
    cash: int,
    cents: int,
    asked: int,
    others: dict[str, tuple[int, int]],
) -> None:
    clock = TestClock(NOW)
    broker = RecordingBroker("sizer", Decimal(cash), clock.now)
    for symbol, (quantity, mark) in others.items():
        broker.held[symbol] = Decimal(quantity)
        broker.marks[symbol] = Decimal(mark) / 100
    price = Decimal(cents) / 100
    gate = PreTradeGate(TradingStateGate(Active(), 1, clock.monotonic), build_chain(cfg,
                        WeekdaySessions()), clock.now, account="sizer",
                        sector_of=lambda symbol: "x", returns=None)  # fmt: skip
    sizer: RiskSizer[SizingRequest] = RiskSizer(
        lambda request: Decimal(asked), EntryLimits.from_settings(cfg)
    )
    router = ExecutionRouter(broker, sizer=sizer, gate=gate)
    bar = Bar(symbol="AAPL", timeframe="1d", ts=NOW, open=float(price), high=float(price),
              low=float(price), close=float(price), volume=1.0)  # fmt: skip
    for listener in (gate.on_bar_closed, router.on_bar_closed):
        listener(BarClosed(occurred_at=NOW, bar=bar))
    snap = Snapshot(at=NOW, cash=broker.cash, buying_power=max(broker.cash, Decimal(0)),
                    positions=broker.positions_now(), closes={"AAPL": price},
                    state=TradingState.ACTIVE, sent=(), fills=())  # fmt: skip
    decision = Decision(decision_id="d-1", symbol="AAPL", action=Action.BUY, confidence=1.0,
                        decided_at=NOW, data_time=NOW, mode=TradingMode.REPLAY,
                        reasoning="test")  # fmt: skip
    execution = asyncio.run(router.execute(decision))
    if execution.placed is None:  # sized to nothing: no room under some limit
        assert not broker.received
        return
    assert broker.received == [execution.placed.order], execution.placed.reason
    order = execution.placed.order
    found = violations(order, snap, cfg, {}, None)
    assert not {rule: why for rule, why in found.items() if rule in SIZED_RULES}
