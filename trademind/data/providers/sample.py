"""The bundled offline sample: real daily bars of seven US large caps shipped in the package.

The files live in ``trademind/data/sample`` and are read through :mod:`importlib.resources`, so
they work from a checkout, an installed wheel or a zip alike.
"""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from trademind.core.errors import ValidationError
from trademind.data.providers.base import BarRequest, NoDataError, ProviderError, ProviderResult
from trademind.data.providers.csv_reader import ParsedCsv, read_bar_csv
from trademind.data.schema import check_timeframe

SAMPLE_SYMBOLS: Final = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")
SAMPLE_TIMEFRAMES: Final = ("1d",)
SAMPLE_FIRST_SESSION: Final = "2013-01-02"
SAMPLE_LAST_SESSION: Final = "2023-12-29"
SAMPLE_NOTICE: Final = (
    f"bundled sample data (real daily bars {SAMPLE_FIRST_SESSION}..{SAMPLE_LAST_SESSION}, "
    "split-adjusted, no dividends) — not live data"
)


def sample_directory() -> Traversable:
    """The package folder holding the sample CSV files."""
    return resources.files("trademind.data").joinpath("sample")


@functools.cache
def _parsed_sample(symbol: str) -> ParsedCsv:
    """One bundled file parsed (once per process: the files never change)."""
    resource = sample_directory().joinpath(f"{symbol}.csv")
    return read_bar_csv(
        resource.read_bytes(), name=f"bundled sample {symbol}.csv", symbol=symbol, timeframe="1d"
    )


class SampleProvider:
    """Serves the bundled daily CSVs; never touches the network."""

    name = "sample"

    def available_symbols(self) -> list[str]:
        return list(SAMPLE_SYMBOLS)

    def fetch(self, request: BarRequest) -> ProviderResult:
        check_timeframe(request.timeframe)
        if request.timeframe not in SAMPLE_TIMEFRAMES:
            raise ValidationError(
                f"the bundled sample holds daily bars only (interval 1d), not {request.timeframe}"
            )
        if request.symbol not in SAMPLE_SYMBOLS:
            raise ProviderError(
                f"{request.symbol}: not in the bundled sample (it holds "
                f"{', '.join(SAMPLE_SYMBOLS)})",
                request.symbol,
            )
        parsed = _parsed_sample(request.symbol)
        result = parsed.result(request, source=self.name, notices=(SAMPLE_NOTICE,))
        if result.bars.empty:
            raise NoDataError(
                f"{request.symbol}: the bundled sample covers {SAMPLE_FIRST_SESSION}.."
                f"{SAMPLE_LAST_SESSION} only, nothing in {request.describe_range()}",
                request.symbol,
            )
        return result
