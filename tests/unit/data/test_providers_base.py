"""The provider port: requests validate themselves, build_provider picks the source."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from trademind.core.clock import LiveClock
from trademind.core.errors import TradeMindError, ValidationError
from trademind.data.providers import (
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderError,
    build_provider,
)
from trademind.data.providers.csv import CsvProvider
from trademind.data.providers.sample import SampleProvider


def test_requests_need_aware_ordered_bounds_and_a_known_interval() -> None:
    with pytest.raises(ValidationError, match="must be timezone-aware"):
        BarRequest("AAPL", "1d", datetime(2024, 1, 1), None)
    with pytest.raises(ValidationError, match="is not before end"):
        BarRequest("AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="unknown interval '3d'"):
        BarRequest("AAPL", "3d")
    assert BarRequest("AAPL", "5m").intraday
    assert not BarRequest("AAPL", "1d").intraday


def test_provider_errors_are_trademind_errors_with_the_symbol() -> None:
    error = NetworkUnavailableError("AAPL: network unreachable", "AAPL")
    assert isinstance(error, ProviderError)
    assert isinstance(error, TradeMindError)
    assert error.symbol == "AAPL"
    assert issubclass(NoDataError, ProviderError)
    assert ProviderError("broken").symbol is None


def test_build_provider(tmp_path: Path) -> None:
    assert isinstance(build_provider("sample", clock=LiveClock()), SampleProvider)
    csv_provider = build_provider(
        "csv", path=tmp_path, column_map={"close": "Last"}, timezone="UTC", clock=LiveClock()
    )
    assert isinstance(csv_provider, CsvProvider)
    assert csv_provider.column_map == {"close": "Last"}
    assert csv_provider.timezone == "UTC"
    with pytest.raises(ValidationError, match="csv source needs a path"):
        build_provider("csv", clock=LiveClock())
    with pytest.raises(ValidationError, match="unknown data source 'ibkr'"):
        build_provider("ibkr", clock=LiveClock())  # type: ignore[arg-type]
