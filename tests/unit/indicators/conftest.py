"""Fixtures for the indicator tests: the seven real daily series of ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from trademind.indicators.state import PriceArrays

REPO_ROOT = Path(__file__).resolve().parents[3]
DAILY_DIR = REPO_ROOT.parent / "shared" / "data" / "ohlcv" / "daily"
DAILY_SYMBOLS = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")


def load_daily(symbol: str) -> PriceArrays:
    frame = pd.read_csv(DAILY_DIR / f"{symbol}.csv")
    frame = frame.rename(columns=str.lower)
    frame["ts"] = pd.to_datetime(frame.pop("date")).dt.tz_localize("UTC")
    return PriceArrays.from_frame(frame)


@pytest.fixture(scope="session")
def daily_series() -> dict[str, PriceArrays]:
    """Every shared daily series by symbol; skips when ../shared/data is not there."""
    if not DAILY_DIR.is_dir():
        pytest.skip(f"shared market data not found at {DAILY_DIR}")
    return {symbol: load_daily(symbol) for symbol in DAILY_SYMBOLS}
