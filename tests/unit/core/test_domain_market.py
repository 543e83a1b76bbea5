"""Bar invariants and the trading modes (issue 10, item 1)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from trademind.core.errors import ValidationError
from trademind.core.market import Bar, TradingMode

TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)


def _bar(**changes: Any) -> Bar:
    fields: dict[str, Any] = {
        "symbol": "AAPL", "timeframe": "1d", "ts": TS,
        "open": 10.0, "high": 12.0, "low": 9.0, "close": 11.0, "volume": 1000.0,
    }  # fmt: skip
    fields.update(changes)
    return Bar(**fields)


def test_a_valid_bar_is_frozen_and_slotted() -> None:
    bar = _bar()
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (10, 12, 9, 11, 1000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bar.close = 1.0  # type: ignore[misc]
    assert not hasattr(bar, "__dict__")


def test_ints_become_floats_and_equal_prices_are_allowed() -> None:
    bar = _bar(open=10, high=10, low=10, close=10, volume=0)
    assert isinstance(bar.open, float)
    assert bar.volume == 0.0


def test_ts_is_converted_to_utc_and_naive_is_refused() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert _bar(ts=datetime(2024, 1, 2, 16, 0, tzinfo=eastern)).ts == TS
    with pytest.raises(ValueError, match="timezone-aware"):
        _bar(ts=datetime(2024, 1, 2, 21, 0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"high": 10.5}, "high 10.5 is below open, close or low"),  # below close 11
        ({"high": 9.5, "close": 9.5}, "high 9.5 is below"),  # below open 10
        ({"low": 10.5}, "low 10.5 is above open or close"),  # above open 10
        ({"low": 9.5, "open": 11.5, "close": 9.0}, "low 9.5 is above"),  # above close 9
        ({"volume": -1.0}, "volume must not be negative"),
        ({"open": 0.0}, "open must be positive"),
        ({"low": -1.0}, "low must be positive"),
        ({"close": float("nan")}, "must be finite"),
        ({"high": float("inf")}, "must be finite"),
        ({"volume": float("nan")}, "must be finite"),
        ({"symbol": ""}, "must not be empty"),
        ({"timeframe": " "}, "must not be empty"),
    ],
)
def test_each_invariant_is_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _bar(**changes)


def test_high_below_low_is_refused() -> None:
    with pytest.raises(ValidationError, match="high"):
        _bar(open=10.0, close=10.0, high=10.0, low=10.5)


def test_a_price_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _bar(close="11")
    with pytest.raises(TypeError):
        _bar(volume=True)


def test_trading_modes_are_the_database_values() -> None:
    assert [mode.value for mode in TradingMode] == ["paper", "live", "backtest", "replay"]
    assert TradingMode("replay") is TradingMode.REPLAY
    assert f"{TradingMode.PAPER}" == "paper"
