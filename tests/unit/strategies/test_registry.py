"""The registry, parameter resolution and validation, and the config sections that mirror the
declarations."""

from __future__ import annotations

import itertools
import typing
from typing import Any

import numpy as np
import pydantic
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from trademind.config import Settings
from trademind.config.sections_market import StrategyName, StrategySettings
from trademind.core.errors import UsageError, ValidationError
from trademind.strategies import registry, rules
from trademind.strategies.base import Bars, Param, Strategy

NAMES = registry.strategy_names()


def test_the_six_strategies_are_registered() -> None:
    assert set(NAMES) == {
        "rsi_mean_reversion",
        "ma_crossover",
        "bollinger_reversion",
        "macd_momentum",
        "buy_and_hold",
        "meta",
    }
    assert [strategy.name for strategy in registry.all_strategies()] == list(NAMES)


def test_get_strategy_by_name_ignores_case_and_spaces() -> None:
    assert registry.get_strategy(" RSI_Mean_Reversion ").name == "rsi_mean_reversion"


def test_an_unknown_strategy_names_the_known_ones() -> None:
    """An unknown name is a usage error (exit 2, issue 9 defect 11)."""
    with pytest.raises(UsageError, match="unknown strategy 'rsi'") as caught:
        registry.get_strategy("rsi")
    for name in NAMES:
        assert name in str(caught.value)


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        ("ma_crossover", {"fast": 50, "slow": 20}, "slow \\(20\\) must be greater than fast"),
        ("ma_crossover", {"fast": 30, "slow": 30}, "slow \\(30\\) must be greater than fast"),
        ("ma_crossover", {"fast": 60}, "slow \\(50\\) must be greater than fast \\(60\\)"),
        ("macd_momentum", {"fast": 26}, "slow \\(26\\) must be greater than fast \\(26\\)"),
        ("rsi_mean_reversion", {"oversold": 50, "overbought": 50}, "overbought .* oversold"),
        ("rsi_mean_reversion", {"length": 1}, "length: 1 is below the minimum 2"),
        ("rsi_mean_reversion", {"oversold": "abc"}, "oversold: expected a number"),
        ("rsi_mean_reversion", {"length": 14.5}, "length: expected a whole number"),
        ("bollinger_reversion", {"std": 6}, "std: 6 is above the maximum 5"),
        ("ma_crossover", {"average": "wma"}, "average: 'wma' is not one of sma, ema"),
        ("rsi_mean_reversion", {"period": 14}, "unknown parameter.*period.*known: length"),
        ("buy_and_hold", {"length": 3}, "unknown parameter.*known: none"),
    ],
)
def test_resolve_rejects_bad_values_naming_the_strategy_and_the_problem(
    name: str, given: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=f"^{name}: .*{message}"):
        registry.resolve(name, given)


def test_resolve_converts_text_and_fills_defaults() -> None:
    assert registry.resolve("ma_crossover", {"fast": "10", "average": "EMA"}) == {
        "fast": 10,
        "slow": 50,
        "average": "ema",
    }


def test_signals_refuse_parameters_that_do_not_fit_together() -> None:
    close = np.linspace(1.0, 2.0, 100)
    bars = Bars("X", np.arange(100, dtype=np.int64), close, close, close, close, close)
    strategy = registry.get_strategy("macd_momentum")
    with pytest.raises(ValidationError, match="slow"):
        strategy.signals(bars, {"fast": 30, "slow": 26, "signal": 9})


# --- the config sections mirror the declarations -------------------------------------------


def _bounds(field: FieldInfo) -> dict[str, Any]:
    found = {}
    for item in field.metadata:
        for name in ("ge", "le", "gt", "lt"):
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
    return found


def _section_model(name: str) -> type[BaseModel]:
    annotation = StrategySettings.model_fields[name].annotation
    assert isinstance(annotation, type)
    assert issubclass(annotation, BaseModel)
    return annotation


def _kind_of(field: FieldInfo) -> tuple[str, tuple[str, ...]]:
    if typing.get_origin(field.annotation) is typing.Literal:
        return "choice", typing.get_args(field.annotation)
    return {int: "int", float: "float"}[field.annotation], ()  # type: ignore[index]


@pytest.mark.parametrize("strategy", registry.all_strategies(), ids=NAMES)
def test_config_section_equals_the_declaration(strategy: Strategy) -> None:
    """Same names in the same order, same types, defaults, inclusive bounds, choices and
    descriptions: the config accepts exactly the values the strategy accepts."""
    fields = _section_model(strategy.name).model_fields
    assert list(fields) == [param.name for param in strategy.params]
    for param in strategy.params:
        field = fields[param.name]
        assert _kind_of(field) == (param.kind, param.choices), param.name
        assert field.default == param.default, param.name
        assert type(field.default) is type(param.default), param.name
        expected = {"ge": param.minimum, "le": param.maximum}
        assert _bounds(field) == {k: v for k, v in expected.items() if v is not None}, param.name
        assert field.description == param.description, param.name


def test_every_strategy_has_a_section_and_nothing_else_does() -> None:
    assert set(StrategySettings.model_fields) - {"enabled"} == set(NAMES)
    assert set(typing.get_args(StrategyName)) == set(NAMES)


def _corners(param: Param) -> list[object]:
    if param.kind == "choice":
        return list(param.choices)
    values = [param.minimum, param.default, param.maximum]
    return [value for value in values if value is not None]


@pytest.mark.parametrize("strategy", registry.all_strategies(), ids=NAMES)
def test_config_and_strategy_agree_on_combinations(strategy: Strategy) -> None:
    """Every combination of minimum, default and maximum values (and the neighbours where the
    cross-parameter checks bite): the config section rejects exactly what ``check`` rejects."""
    model = _section_model(strategy.name)
    names = [param.name for param in strategy.params]
    for combination in itertools.product(*(_corners(param) for param in strategy.params)):
        values = dict(zip(names, combination, strict=True))
        try:
            registry.resolve(strategy, values)
            accepted = True
        except ValidationError:
            accepted = False
        try:
            model.model_validate(values)
            configured = True
        except pydantic.ValidationError:
            configured = False
        assert accepted == configured, values


def test_configured_params_and_enabled_come_from_the_settings() -> None:
    settings = Settings.model_validate(
        {
            "strategies": {
                "enabled": ["macd_momentum", "buy_and_hold"],
                "rsi_mean_reversion": {"oversold": 25, "overbought": 75},
            }
        }
    )
    assert registry.configured_params(settings, "rsi_mean_reversion") == {
        "length": 14,
        "oversold": 25.0,
        "overbought": 75.0,
    }
    assert registry.configured_params(settings, "buy_and_hold") == {}
    enabled = [strategy.name for strategy in registry.enabled_strategies(settings)]
    assert enabled == ["macd_momentum", "buy_and_hold"]
    assert registry.is_enabled(settings, "buy_and_hold")
    assert not registry.is_enabled(settings, "rsi_mean_reversion")


def test_the_default_config_enables_rsi_and_ma_crossover() -> None:
    enabled = registry.enabled_strategies(Settings())
    assert [strategy.name for strategy in enabled] == ["rsi_mean_reversion", "ma_crossover"]


# --- crossings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("difference", "up", "down"),
    [
        ([-1.0, 1.0], [1], []),
        ([1.0, -1.0], [], [1]),
        ([-1.0, 0.0, 1.0], [2], []),  # through zero: a cross where it turns positive
        ([1.0, 0.0, 1.0], [], []),  # touching and turning back is no cross
        ([-1.0, 0.0, 0.0, -2.0, 3.0], [4], []),
        ([np.nan, -1.0, np.nan, 1.0], [3], []),  # unknown bars are skipped
        ([0.0, 1.0, -1.0], [], [2]),  # no earlier non-zero value: no cross at bar 1
        ([], [], []),
    ],
)
def test_crossings(difference: list[float], up: list[int], down: list[int]) -> None:
    found_up, found_down = rules.crossings(np.array(difference, dtype=np.float64))
    assert np.flatnonzero(found_up).tolist() == up
    assert np.flatnonzero(found_down).tolist() == down
