"""The real market data set in ``../shared/data``, found in one place for every test.

Where it is missing, a test that needs it skips with the path it looked at; with
``TRADEMIND_REQUIRE_SERVICES=1`` (set by ``.ci/run``, as for PostgreSQL and Redis) it fails
instead, so CI never passes with the real-data tests (backtrader parity among them) skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""``../shared/data`` beside the checkout (or the worktree)."""
DAILY_SYMBOLS = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")


def data_set_required() -> bool:
    """Whether a missing data set is a failure (CI) rather than a skip (a developer machine)."""
    return os.environ.get("TRADEMIND_REQUIRE_SERVICES", "") not in ("", "0", "false")


def shared_data(*parts: str) -> Path:
    """``../shared/data/<parts>``; skips the calling test when it is missing (fails in CI)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"shared market data not found at {path}"
        if data_set_required():
            pytest.fail(f"{message} (TRADEMIND_REQUIRE_SERVICES is set, so this is a failure)")
        pytest.skip(message)
    return path


def daily_dir() -> Path:
    """The directory of the real daily series (``SYMBOL.csv``)."""
    return shared_data("ohlcv", "daily")


def daily_csv(symbol: str) -> Path:
    """One real daily series."""
    return shared_data("ohlcv", "daily", f"{symbol}.csv")
