"""RiskAgent: every veto reason, SELL never vetoed, fail-closed correlation, protective levels."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from support.portfolio_views import FakeReturns, FakeView, position

from trademind.agents.risk import RiskAgent
from trademind.agents.risk_sizing import EntryLimits
from trademind.config.sections_trading import SafetySettings
from trademind.core.decisions import Action, Decision
from trademind.core.market import TradingMode

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
DAYS = 100


def _decision(action: Action = Action.BUY, symbol: str = "AAPL") -> Decision:
    return Decision(
        decision_id="d1",
        symbol=symbol,
        action=action,
        confidence=0.8,
        decided_at=WHEN,
        data_time=WHEN,
        mode=TradingMode.REPLAY,
        reasoning="test",
    )


def _view(**fields: object) -> FakeView:
    view = FakeView(**fields)  # type: ignore[arg-type]
    view.prices.setdefault("AAPL", Decimal(100))
    return view


def _agent(
    view: FakeView,
    safety: SafetySettings | None = None,
    returns: FakeReturns | None = None,
    **limits: object,
) -> RiskAgent:
    settings = safety or SafetySettings()
    entry_limits = EntryLimits.from_settings(settings, **limits)  # type: ignore[arg-type]
    return RiskAgent(view, settings, entry_limits, returns=returns)


def _returns(correlated_with_msft: float = 0.0) -> FakeReturns:
    rng = np.random.default_rng(7)
    msft = rng.normal(0.0, 0.01, DAYS)
    noise = rng.normal(0.0, 0.01, DAYS)
    aapl = correlated_with_msft * msft + np.sqrt(1 - correlated_with_msft**2) * noise
    spare = rng.normal(0.0, 0.01, DAYS)
    return FakeReturns({"AAPL": list(aapl), "MSFT": list(msft), "XOM": list(spare)})


async def test_a_buy_within_every_limit_passes() -> None:
    assert await _agent(_view()).review(_decision()) is None


@pytest.mark.parametrize(("cash", "vetoed"), [(98_000, True), (98_001, False)])
def test_the_daily_loss_limit_vetoes_at_the_limit(cash: int, vetoed: bool) -> None:
    view = _view(cash_amount=Decimal(cash), start=Decimal(100_000))  # 2.00% down at 98,000
    reason = _agent(view).veto_reason(_decision())
    assert (reason is not None) is vetoed
    if reason is not None:
        assert reason.startswith("daily loss limit: down 2.00%")


def test_an_unknown_start_of_day_vetoes() -> None:
    view = _view()
    view.start_known = False
    reason = _agent(view).veto_reason(_decision())
    assert reason is not None
    assert "start-of-day equity is not known" in reason


def test_max_positions_vetoes_a_new_symbol_but_not_a_held_one() -> None:
    safety = SafetySettings(max_positions=2)
    held = [position("MSFT", 10, 100), position("XOM", 10, 100)]
    view = _view(held=held, sectors={"MSFT": "Tech", "XOM": "Energy", "AAPL": "Tech"})
    reason = _agent(view, safety, _returns()).veto_reason(_decision())
    assert reason == "max positions: 2 positions open, the limit is 2"
    held_one = _agent(view, safety, _returns()).veto_reason(_decision(symbol="MSFT"))
    assert held_one is None or not held_one.startswith("max positions")


@pytest.mark.parametrize(("shares", "vetoed"), [(300, True), (299, False)])
def test_sector_concentration_vetoes_at_or_over_the_limit(shares: int, vetoed: bool) -> None:
    sectors = {"MSFT": "Technology", "AAPL": "Technology"}
    cash = Decimal(100_000 - shares * 100)  # equity stays $100,000; $30,000 = 30% at 300
    view = _view(cash_amount=cash, held=[position("MSFT", shares, 100)], sectors=sectors)
    reason = _agent(view, returns=_returns()).veto_reason(_decision())
    assert (reason is not None and reason.startswith("sector concentration")) is vetoed
    if vetoed:
        assert reason == (
            "sector concentration: sector 'Technology' holds $30,000.00, 30.00% of equity, "
            "at or over the limit 30.00%"
        )


def test_a_symbol_correlated_with_a_held_position_is_vetoed() -> None:
    view = _view(held=[position("MSFT", 50, 100)])
    returns = _returns(correlated_with_msft=0.95)
    reason = _agent(view, returns=returns).veto_reason(_decision())
    assert reason is not None
    assert reason.startswith("correlation limit: AAPL would move with")
    assert returns.asked == [(("AAPL", "MSFT"), 252, 60)]
    assert _agent(view, returns=_returns(0.0)).veto_reason(_decision()) is None


def test_a_hedge_is_not_a_correlation_veto() -> None:
    view = _view(held=[position("MSFT", -50, 100)])  # short MSFT: a long AAPL hedges it
    assert _agent(view, returns=_returns(0.95)).veto_reason(_decision()) is None


def test_missing_returns_history_vetoes_when_a_position_is_held() -> None:
    view = _view(held=[position("MSFT", 50, 100)])
    reason = _agent(view).veto_reason(_decision())
    assert reason is not None
    assert "no returns history" in reason
    assert _agent(_view()).veto_reason(_decision()) is None  # nothing held: nothing to correlate


def test_too_short_a_history_vetoes_with_the_reason() -> None:
    view = _view(held=[position("MSFT", 50, 100)])
    short = FakeReturns({k: v[:30] for k, v in _returns().series.items()})
    reason = _agent(view, returns=short).veto_reason(_decision())
    assert reason is not None
    assert reason.startswith("correlation limit: cannot be checked")


def test_a_buy_the_sizing_leaves_no_room_for_is_vetoed_naming_the_limit() -> None:
    view = _view(cash_amount=Decimal(90_000), held=[position("AAPL", 100, 100)])  # 10% held
    reason = _agent(view).veto_reason(_decision())
    assert reason is not None
    assert reason.startswith("sizing: no room for AAPL: 0 shares")
    assert "max_position_size binds" in reason


def test_a_symbol_without_a_price_is_vetoed() -> None:
    reason = _agent(_view()).veto_reason(_decision(symbol="NVDA"))
    assert reason == "sizing: no price of NVDA is known, the entry cannot be sized"


async def test_a_sell_is_never_vetoed() -> None:
    view = _view(cash_amount=Decimal(50_000), start=Decimal(100_000))  # 50% down
    view.start_known = True
    agent = _agent(view, SafetySettings(max_positions=1))
    assert agent.veto_reason(_decision()) is not None
    assert await agent.review(_decision(Action.SELL)) is None
    assert await agent.review(_decision(Action.HOLD)) is None


def test_protective_levels_from_the_default_stop_and_the_reward_risk_multiple() -> None:
    agent = _agent(_view())
    assert agent.protective_levels(Decimal(100)) == (Decimal("95.00"), Decimal("110.00"))
    tighter = _agent(_view(), stop_loss=0.04)
    assert tighter.protective_levels(Decimal("50")) == (Decimal("48.00"), Decimal("54.00"))
    settings = SafetySettings()
    fixed = RiskAgent(_view(), settings, EntryLimits(settings), take_profit=0.08)
    assert fixed.protective_levels(Decimal(100)) == (Decimal("95.00"), Decimal("108.00"))
