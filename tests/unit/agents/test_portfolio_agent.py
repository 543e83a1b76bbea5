"""PortfolioAgent and portfolio_report: drift both ways, the band, abstentions, the report's
figures, and the settings it refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError as PydanticError
from support.portfolio_views import FakeView, position

from trademind.agents.base import AgentContext, ask_local
from trademind.agents.portfolio import PortfolioAgent
from trademind.agents.portfolio_report import performance, portfolio_report
from trademind.config.sections_agents import AgentWeights, PortfolioAgentSettings
from trademind.core.clock import TestClock
from trademind.core.decisions import Abstention, Action, Vote
from trademind.core.market import TradingMode

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
TARGETS = PortfolioAgentSettings(targets={"AAPL": 0.2, "MSFT": 0.3}, drift_threshold=0.05)


def _context(symbol: str = "AAPL") -> AgentContext:
    return AgentContext(symbol=symbol, closed_at=WHEN, mode=TradingMode.REPLAY, bars=())


def _holding(shares: int) -> FakeView:
    """$100,000 of equity with ``shares`` AAPL at $100."""
    return FakeView(
        cash_amount=Decimal(100_000 - 100 * shares), held=[position("AAPL", shares, 100)]
    )


def _vote(view: FakeView, settings: PortfolioAgentSettings = TARGETS) -> Vote | Abstention:
    return ask_local(PortfolioAgent(view, settings), _context(), TestClock(WHEN))


def test_over_target_beyond_the_band_votes_sell_with_the_rebalance() -> None:
    vote = _vote(_holding(260))  # 26% against 20%: drift +6 points
    assert isinstance(vote, Vote)
    assert vote.direction is Action.SELL
    assert vote.score == pytest.approx(-0.6)  # 6 / (2 x 5)
    assert vote.confidence == 1.0
    assert "drift +6.00%, over the 5.00% band; rebalance: sell $6,000.00" in vote.reasoning


def test_under_target_beyond_the_band_votes_buy() -> None:
    vote = _vote(_holding(100))  # 10% against 20%
    assert isinstance(vote, Vote)
    assert (vote.direction, vote.score) == (Action.BUY, 1.0)
    assert "rebalance: buy $10,000.00" in vote.reasoning
    flat = _vote(FakeView())  # not held at all: 0% against 20%
    assert isinstance(flat, Vote)
    assert flat.direction is Action.BUY


@pytest.mark.parametrize("shares", [250, 150, 200])
def test_within_the_band_holds(shares: int) -> None:
    vote = _vote(_holding(shares))  # 25%, 15%, 20%: |drift| <= 5 points
    assert isinstance(vote, Vote)
    assert (vote.direction, vote.score, vote.confidence) == (Action.HOLD, 0.0, 0.5)


def test_no_targets_or_no_target_for_the_symbol_abstains() -> None:
    none = _vote(_holding(100), PortfolioAgentSettings())
    assert isinstance(none, Abstention)
    assert none.reason == "no portfolio targets are configured"
    other = ask_local(PortfolioAgent(_holding(0), TARGETS), _context("NVDA"), TestClock(WHEN))
    assert isinstance(other, Abstention)
    assert other.reason == "NVDA has no target weight"


def test_the_report_gives_weights_drift_trades_exposure_cash_and_heat() -> None:
    view = FakeView(
        cash_amount=Decimal(50_000),
        held=[position("AAPL", 260, 100), position("NVDA", 240, 100)],
    )  # equity $100,000: AAPL 26%, NVDA 24% (no target), MSFT 0% (target 30%)
    report = portfolio_report(view, TARGETS.targets, 0.05, equity_curve=[100, 120, 90, 110])
    aapl, msft, nvda = (report.allocation(s) for s in ("AAPL", "MSFT", "NVDA"))
    assert aapl is not None
    assert msft is not None
    assert nvda is not None
    assert aapl.weight == pytest.approx(0.26)
    assert aapl.drift == pytest.approx(0.06)
    assert aapl.trade is not None
    assert (aapl.trade.side, aapl.trade.amount) == (
        Action.SELL,
        Decimal("6000.00"),
    )
    assert msft.trade is not None
    assert msft.trade.side is Action.BUY
    assert msft.trade.amount == Decimal("30000.00")
    assert (nvda.target, nvda.drift, nvda.triggered) == (None, None, False)
    assert [a.symbol for a in report.rebalance] == ["AAPL", "MSFT"]
    assert report.gross_exposure == pytest.approx(0.5)
    assert report.cash_weight == pytest.approx(0.5)
    assert report.heat == pytest.approx(0.025)  # $50,000 x 5% stop over $100,000
    assert report.heat_by_symbol["AAPL"] == pytest.approx(1300.0)
    assert report.performance.total_return == pytest.approx(0.1)
    assert report.performance.max_drawdown == pytest.approx(0.25)  # 120 -> 90


def test_performance_needs_two_points() -> None:
    assert performance([100.0]).total_return is None
    assert performance([]).max_drawdown is None


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"AAPL": 0.6, "MSFT": 0.5}, "target weights sum to 1.1, above 1"),
        ({"AAPL": -0.1}, "target weight of AAPL must be in \\(0, 1\\], got -0.1"),
        ({"AAPL": 0.0}, "target weight of AAPL must be in \\(0, 1\\], got 0"),
        ({"aapl": 0.1}, "target symbol 'aapl' must be an upper-case ticker .* 'AAPL'"),
        ({"BRK B": 0.1}, "target symbol 'BRK B' must be an upper-case ticker"),
    ],
)
def test_bad_targets_are_refused_with_the_reason(targets: dict[str, float], message: str) -> None:
    with pytest.raises(PydanticError, match=message):
        PortfolioAgentSettings(targets=targets)


def test_the_portfolio_weight_is_zero_by_default_and_not_negative() -> None:
    assert AgentWeights().portfolio == 0.0
    with pytest.raises(PydanticError, match="greater than or equal to 0"):
        AgentWeights(portfolio=-1.0)
