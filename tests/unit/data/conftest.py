"""Fixtures for the market-data unit tests: the shared real bars and small CSV writers."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import shared_data as data_set


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared market data directory (../shared/data); skips (fails in CI) without it."""
    return data_set.daily_dir().parents[1]


@pytest.fixture(scope="session")
def daily_dir(shared_data: Path) -> Path:
    return shared_data / "ohlcv" / "daily"


@pytest.fixture(scope="session")
def fut_file(shared_data: Path) -> Path:
    return shared_data / "ohlcv" / "intraday" / "FUT-2006-5min.csv"
