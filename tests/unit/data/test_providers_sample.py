"""The bundled sample: real daily bars shipped in the package, served offline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from trademind.core.clock import LiveClock
from trademind.core.errors import ValidationError
from trademind.data.providers import BarRequest, NoDataError, ProviderError, build_provider
from trademind.data.providers.sample import (
    SAMPLE_NOTICE,
    SAMPLE_SYMBOLS,
    SampleProvider,
    sample_directory,
)


def test_serves_the_seven_symbols_with_the_not_live_notice() -> None:
    provider = build_provider("sample", clock=LiveClock())
    assert provider.available_symbols() == ["AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA"]
    result = provider.fetch(BarRequest("NVDA", "1d"))
    assert result.source == "sample"
    assert result.notices == (SAMPLE_NOTICE,)
    assert SAMPLE_NOTICE == (
        "bundled sample data (real daily bars 2013-01-02..2023-12-29, split-adjusted, "
        "no dividends) — not live data"
    )
    assert len(result.bars) == 2768
    assert result.bars["ts"].iloc[[0, -1]].tolist() == [
        pd.Timestamp("2013-01-02", tz="UTC"),
        pd.Timestamp("2023-12-29", tz="UTC"),
    ]
    assert result.rejected == ()


def test_the_bundled_files_are_the_shared_ones_unchanged(daily_dir: Path) -> None:
    for symbol in SAMPLE_SYMBOLS:
        bundled = sample_directory().joinpath(f"{symbol}.csv").read_bytes()
        assert bundled == (daily_dir / f"{symbol}.csv").read_bytes(), symbol


def test_ranges_are_honoured_and_outside_coverage_is_no_data() -> None:
    provider = SampleProvider()
    request = BarRequest("AAPL", "1d", datetime(2023, 12, 27, tzinfo=UTC), None)
    assert len(provider.fetch(request).bars) == 3
    with pytest.raises(NoDataError, match=r"covers 2013-01-02\.\.2023-12-29 only"):
        provider.fetch(BarRequest("AAPL", "1d", datetime(2024, 1, 1, tzinfo=UTC), None))


def test_only_daily_bars(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"daily bars only.*not 5m"):
        SampleProvider().fetch(BarRequest("AAPL", "5m"))


def test_unknown_symbol_names_what_is_there() -> None:
    with pytest.raises(ProviderError, match=r"IBM: not in the bundled sample .*AAPL, AMZN"):
        SampleProvider().fetch(BarRequest("IBM", "1d"))


def test_results_are_independent_copies() -> None:
    provider = SampleProvider()
    bars = provider.fetch(BarRequest("MSFT", "1d")).bars
    bars.loc[0, "close"] = -1.0
    assert provider.fetch(BarRequest("MSFT", "1d")).bars.loc[0, "close"] > 0
