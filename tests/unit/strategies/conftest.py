"""Fixtures for the strategy tests: the seven real daily series of ../shared/data as Bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trademind.strategies.base import Bars

REPO_ROOT = Path(__file__).resolve().parents[3]
DAILY_DIR = REPO_ROOT.parent / "shared" / "data" / "ohlcv" / "daily"
DAILY_SYMBOLS = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")


def load_bars(symbol: str) -> Bars:
    """One shared daily series as read-only Bars (what the engine hands a strategy)."""
    frame = pd.read_csv(DAILY_DIR / f"{symbol}.csv")
    ts = pd.to_datetime(frame["Date"]).to_numpy(dtype="datetime64[ns]").astype(np.int64)

    def column(name: str) -> np.ndarray:
        values = frame[name].to_numpy(dtype=np.float64).copy()
        values.setflags(write=False)
        return values

    ts.setflags(write=False)
    return Bars(
        symbol,
        ts,
        column("Open"),
        column("High"),
        column("Low"),
        column("Close"),
        column("Volume"),
    )


@pytest.fixture(scope="session")
def daily_bars() -> dict[str, Bars]:
    """Every shared daily series by symbol; skips when ../shared/data is not there."""
    if not DAILY_DIR.is_dir():
        pytest.skip(f"shared market data not found at {DAILY_DIR}")
    return {symbol: load_bars(symbol) for symbol in DAILY_SYMBOLS}
