"""Property: whatever the order, holdings and limits, an order the chain approves in ACTIVE state
satisfies every enabled entry limit (or only reduces exposure), and in REDUCING it only
reduces exposure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trademind.config.sections_trading import SafetySettings
from trademind.core.trading_state import TradingState
from trademind.safety.catalogue import build_chain
from trademind.safety.context import PreTradeContext
from trademind.safety.returns_history import AlignedReturns
from trademind.testing.safety import WeekdaySessions, pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
SYMBOLS = ("AAPL", "MSFT", "XOM", "ZZZ")
SECTORS = {"AAPL": "Technology", "MSFT": "Technology", "XOM": "Energy"}

limits = st.fixed_dictionaries(
    {
        "max_order_value": st.sampled_from([1_000, 10_000, 50_000]) | st.integers(1, 50_000),
        "max_order_quantity": st.sampled_from([10, 100, 1_000]) | st.integers(1, 300),
        "max_positions": st.integers(1, 4),
        "max_position_size": st.sampled_from([0.05, 0.1, 0.2]),
        "max_sector_concentration": st.sampled_from([0.2, 0.3, 0.5]),
        "max_portfolio_heat": st.sampled_from([0.02, 0.06, 0.2]),
        "default_stop_loss": st.sampled_from([0.05, 0.1]),
    }
)
# Low, independent volatility for every symbol and generous history limits: the VaR,
# correlation, volatility and beta rules are tested at their boundaries in test_rules_risk.py;
# here they must not hide the limits above by refusing everything.
_rng = np.random.default_rng(11)
RETURNS = AlignedReturns({s: _rng.normal(0, 0.005, 252) for s in (*SYMBOLS, "SPY")})
HISTORY_LIMITS = {
    "volatility_threshold": 10.0,
    "max_correlation": 1.0,
    "var": {"max_var": 1.0, "max_cvar": 1.0},
}
holdings = st.dictionaries(
    st.sampled_from(SYMBOLS),
    st.tuples(st.integers(-300, 300).filter(bool), st.integers(1, 200)),
    max_size=4,
)
orders = st.fixed_dictionaries(
    {
        "symbol": st.sampled_from(SYMBOLS),
        "side": st.sampled_from(["buy", "sell"]),
        "quantity": st.integers(1, 200),
        "price": st.integers(1, 200),
        "buying_power": st.sampled_from([5_000, 200_000]) | st.integers(0, 200_000),
    }
)


def _within_entry_limits(context: PreTradeContext, config: SafetySettings) -> bool:
    equity = context.equity
    sector = context.sector_of(context.order.symbol)
    in_sector = {context.order.symbol} | {
        s for s in context.positions if context.sector_of(s) == sector
    }
    sector_value = sum((context.value_after(s) for s in in_sector), Decimal(0))
    open_positions = sum(1 for p in context.positions.values() if p.quantity != 0)
    new_symbol = context.held(context.order.symbol) == 0
    return (
        context.order.quantity <= Decimal(str(config.max_order_quantity))
        and context.order_value <= Decimal(str(config.max_order_value))
        and context.value_after(context.order.symbol)
        <= Decimal(str(config.max_position_size)) * equity
        and sector_value <= Decimal(str(config.max_sector_concentration)) * equity
        and (not new_symbol or open_positions < config.max_positions)
        and context.opening_quantity * context.price * Decimal("1.01")
        <= context.account.buying_power
        and _gross_after(context) * Decimal(str(config.default_stop_loss))
        <= Decimal(str(config.max_portfolio_heat)) * equity
    )


def _gross_after(context: PreTradeContext) -> Decimal:
    symbols = set(context.positions) | {context.order.symbol}
    return sum((context.value_after(s) for s in symbols), Decimal(0))


@settings(max_examples=500, deadline=None)
@given(limits=limits, held=holdings, order=orders, state=st.sampled_from(list(TradingState)))
def test_no_approved_order_breaks_an_enabled_limit(
    limits: dict[str, float],
    held: dict[str, tuple[int, int]],
    order: dict[str, object],
    state: TradingState,
) -> None:
    if limits["max_position_size"] * limits["default_stop_loss"] > limits["max_portfolio_heat"]:
        return  # contradicting limits, refused by the settings (tested there)
    config = SafetySettings.model_validate(limits | HISTORY_LIMITS | {"market_hours_only": False})
    chain = build_chain(config, WeekdaySessions())
    context = pre_trade_context(
        symbol=str(order["symbol"]),
        side=str(order["side"]),
        quantity=int(str(order["quantity"])),
        price=int(str(order["price"])),
        buying_power=int(str(order["buying_power"])),
        positions=held,
        sectors=SECTORS,
        now=NOW,
        returns=RETURNS,
    )
    result = chain.check(context, state)
    if not result.approved:
        return
    assert state is not TradingState.HALTED
    if state is TradingState.REDUCING:
        assert context.reduces_exposure
    assert context.reduces_exposure or _within_entry_limits(context, config)
