"""The port the services read stored bars through.

:class:`~trademind.data.store.BarStore` implements it on the database;
:class:`trademind.testing.bars.FakeBarRepository` in memory, for tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    import pandas as pd

    from trademind.data.store_types import Coverage


class BarReader(Protocol):
    """Stored bars by (symbol, timeframe), read-only."""

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        adjusted: bool,
    ) -> pd.DataFrame:
        """Bars with ``start <= ts <= end`` (both optional), oldest first, as a bar frame
        (:data:`~trademind.data.schema.BAR_COLUMNS`); ``adjusted`` applies split and dividend
        adjustment."""
        ...

    def coverage(self, symbol: str, timeframe: str) -> Coverage | None:
        """First and last stored bar, row count and newest ingestion time, or None."""
        ...
