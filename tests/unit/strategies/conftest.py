"""Fixtures for the strategy tests: the seven real daily series of ../shared/data as Bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.shared_data import DAILY_SYMBOLS, daily_csv, daily_dir

from trademind.strategies.base import Bars


def load_bars(symbol: str) -> Bars:
    """One shared daily series as read-only Bars (what the engine hands a strategy)."""
    frame = pd.read_csv(daily_csv(symbol))
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
    """Every shared daily series by symbol; skips (fails in CI) when ../shared/data is not there."""
    daily_dir()
    return {symbol: load_bars(symbol) for symbol in DAILY_SYMBOLS}
