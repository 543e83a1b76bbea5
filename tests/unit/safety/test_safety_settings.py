"""The safety settings: ranges of the new limits and limits that contradict each other."""

from __future__ import annotations

import pydantic
import pytest

from trademind.config.sections_trading import SafetySettings


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_order_value", 0),
        ("max_order_quantity", 0),
        ("order_rate_window_seconds", 0),
        ("max_orders_per_window", 0),
        ("buying_power_buffer", -0.01),
        ("disabled_rules", ["trading_state"]),
        ("disabled_rules", ["no_such_rule"]),
    ],
)
def test_out_of_range_limits_are_refused(key: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        SafetySettings.model_validate({key: value})


def test_a_position_larger_than_a_sector_allows_is_refused() -> None:
    with pytest.raises(
        pydantic.ValidationError,
        match=r"max_position_size \(0.4\) is above "
        r"max_sector_concentration \(0.3\)",
    ):
        SafetySettings.model_validate({"max_position_size": 0.4})
    assert SafetySettings.model_validate({"max_position_size": 0.3}).max_position_size == 0.3


def test_one_position_risking_more_than_the_heat_limit_is_refused() -> None:
    # 0.10 * 0.5 = 0.05 risk; heat 0.04 is below it.
    with pytest.raises(pydantic.ValidationError, match="above max_portfolio_heat"):
        SafetySettings.model_validate({"default_stop_loss": 0.5, "max_portfolio_heat": 0.04})
    fits = SafetySettings.model_validate({"default_stop_loss": 0.5, "max_portfolio_heat": 0.05})
    assert fits.max_portfolio_heat == 0.05


def test_var_settings_take_the_standard_levels_and_a_window_that_fits() -> None:
    assert SafetySettings.model_validate({"var": {"confidence": 0.99}}).var.confidence == 0.99
    with pytest.raises(
        pydantic.ValidationError, match=r"confidence must be 0\.95 or 0\.99, got 0\.9"
    ):
        SafetySettings.model_validate({"var": {"confidence": 0.9}})
    with pytest.raises(pydantic.ValidationError, match="method"):
        SafetySettings.model_validate({"var": {"method": "monte_carlo"}})
    with pytest.raises(pydantic.ValidationError, match=r"min_days \(300\) is above lookback"):
        SafetySettings.model_validate({"var": {"min_days": 300}})


def test_risk_rule_settings_are_range_checked() -> None:
    for bad in ({"max_correlation": 0}, {"max_correlation": 1.01}, {"benchmark_symbol": "spy"}):
        with pytest.raises(pydantic.ValidationError):
            SafetySettings.model_validate(bad)
    with pytest.raises(pydantic.ValidationError, match="max_cvar"):
        SafetySettings.model_validate({"var": {"max_cvar": 0}})
    assert SafetySettings().benchmark_symbol is None  # the beta rule is off until one is set
    assert SafetySettings(benchmark_symbol="SPY").benchmark_symbol == "SPY"
