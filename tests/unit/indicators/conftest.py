"""Fixtures for the indicator tests: the seven real daily series of ../shared/data."""

from __future__ import annotations

import pandas as pd
import pytest
from support.shared_data import DAILY_SYMBOLS, daily_csv, daily_dir

from trademind.indicators.state import PriceArrays


def load_daily(symbol: str) -> PriceArrays:
    frame = pd.read_csv(daily_csv(symbol))
    frame = frame.rename(columns=str.lower)
    frame["ts"] = pd.to_datetime(frame.pop("date")).dt.tz_localize("UTC")
    return PriceArrays.from_frame(frame)


@pytest.fixture(scope="session")
def daily_series() -> dict[str, PriceArrays]:
    """Every shared daily series by symbol; skips (fails in CI) when ../shared/data is not there."""
    daily_dir()
    return {symbol: load_daily(symbol) for symbol in DAILY_SYMBOLS}
