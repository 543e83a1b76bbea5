"""Fixtures for the market-data unit tests: the shared real bars and small CSV writers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DAILY_SYMBOLS = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared market data directory (../shared/data); skips when it is not there."""
    if not (SHARED_DATA / "ohlcv" / "daily").is_dir():
        pytest.skip(f"shared market data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def daily_dir(shared_data: Path) -> Path:
    return shared_data / "ohlcv" / "daily"


@pytest.fixture(scope="session")
def fut_file(shared_data: Path) -> Path:
    return shared_data / "ohlcv" / "intraday" / "FUT-2006-5min.csv"
