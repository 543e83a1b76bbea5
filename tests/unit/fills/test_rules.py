"""ExecutionRules: one validated set of execution rules that the backtest's config and the
paper account's config both extend, so a paper account takes a backtest's rules whole."""

from __future__ import annotations

import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.brokers.paper import PaperConfig
from trademind.core.errors import ValidationError
from trademind.fills.commission import PercentageCommission
from trademind.fills.rules import ExecutionRules
from trademind.fills.sizing import FixedFraction
from trademind.fills.slippage import VolumeCap


def test_a_paper_account_takes_a_backtests_rules_whole() -> None:
    backtest = BacktestConfig(
        commission=PercentageCommission(0.001), sizing=FixedFraction(0.2), order_type="limit",
        limit_offset=0.01, time_in_force="gtc", latency_bars=2, fill_price="close",
        stop_loss=0.05, take_profit=0.1, trailing_stop=0.08, fractional_shares=False,
        volume_cap=VolumeCap(0.1), session_timezone="Europe/London", bar_interval_seconds=60.0,
    )  # fmt: skip
    paper = PaperConfig(account_id="a", **backtest.rule_values())
    assert paper.rule_values() == backtest.rule_values()
    assert paper.order == backtest.order
    assert paper.commission_tuple == backtest.commission_tuple
    assert set(backtest.rule_values()) == set(ExecutionRules.__dataclass_fields__)


@pytest.mark.parametrize(
    "changes",
    [{"stop_loss": 1.0}, {"order_type": "iceberg"}, {"latency_bars": -1}, {"session_timezone": ""}],
)
def test_both_configs_check_the_rules(changes: dict[str, object]) -> None:
    for kind in (ExecutionRules, BacktestConfig, PaperConfig):
        with pytest.raises(ValidationError):
            kind(**changes)


def test_a_paper_accounts_latency_is_whole_bars() -> None:
    with pytest.raises(ValidationError, match="whole bars"):
        PaperConfig(latency_seconds=0.5)


STORED_FINGERPRINT = (
    "PaperConfig(account_id='a', initial_cash=100000.0, commission=PerShareCommission("
    "per_share=0.005, minimum=1.0, maximum_fraction=0.01), slippage=FixedBpsSlippage(bps=5.0), "
    "sizing=AllIn(), order=OrderSpec(order_type='market', limit_offset=0.0, stop_offset=0.0, "
    "time_in_force='day'), latency_bars=1, fill_price='next_open', stop_loss=None, "
    "take_profit=None, trailing_stop=None, fractional_shares=True, volume_cap=None, "
    "symbols=('AAPL',), session_timezone='America/New_York', is_market_open=None)"
)


def test_the_fingerprint_keeps_the_form_sessions_were_stored_with() -> None:
    config = PaperConfig(account_id="a", symbols=("aapl",), latency_bars=1, is_market_open=bool)
    assert config.fingerprint() == STORED_FINGERPRINT
