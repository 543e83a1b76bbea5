"""Bar providers behind one port (:class:`BarProvider`): yfinance, CSV files, the bundled sample.

``build_provider`` is the one place that turns a ``--source`` choice into a provider. Nothing
is built at import time; yfinance itself is imported only when a download really happens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from trademind.core.clock import Clock
from trademind.core.errors import ValidationError
from trademind.data.providers.base import (
    BarProvider,
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderError,
    ProviderResult,
    RejectedRow,
    SourceUnreachableError,
)
from trademind.data.providers.reachability import ReachabilityProbe

Source = Literal["yfinance", "csv", "sample"]
SOURCES: tuple[Source, ...] = ("yfinance", "csv", "sample")

__all__ = [
    "SOURCES",
    "BarProvider",
    "BarRequest",
    "NetworkUnavailableError",
    "NoDataError",
    "ProviderError",
    "ProviderResult",
    "ReachabilityProbe",
    "RejectedRow",
    "Source",
    "SourceUnreachableError",
    "build_provider",
]


def build_provider(
    source: Source,
    *,
    path: Path | None = None,
    column_map: Mapping[str, str] | None = None,
    timezone: str = "America/New_York",
    download: Callable[..., pd.DataFrame | None] | None = None,
    retries: int = 3,
    timeout: float = 30.0,
    probe: ReachabilityProbe | None = None,
    clock: Clock,
) -> BarProvider:
    """The provider for ``source``; ``path`` (a file or a directory) is required for csv.

    ``retries`` (after the first attempt) and ``timeout`` (seconds per request) apply to the
    network source (yfinance), which probes Yahoo's host once before its first download:
    with ``probe``, or the real TCP probe when neither ``probe`` nor ``download`` is given;
    ``clock`` says how far back its intraday history reaches today.
    """
    if source == "yfinance":
        from trademind.data.providers.reachability import tcp_probe
        from trademind.data.providers.yfinance import YFinanceProvider

        if probe is None and download is None:
            probe = tcp_probe
        return YFinanceProvider(
            download=download, retries=retries, timeout=timeout, probe=probe, clock=clock
        )
    if source == "csv":
        if path is None:
            raise ValidationError("the csv source needs a path: a CSV file or a directory of them")
        from trademind.data.providers.csv import CsvProvider

        return CsvProvider(path, column_map=column_map, timezone=timezone)
    if source == "sample":
        from trademind.data.providers.sample import SampleProvider

        return SampleProvider()
    raise ValidationError(f"unknown data source {source!r}: use one of {', '.join(SOURCES)}")
