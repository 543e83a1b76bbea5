"""``data status``: every stored series with its range, rows, last update and open issues.

A module of its own (SQLAlchemy Core only, through :mod:`trademind.data.store_summary`) so that
the command imports neither pandas nor numpy; :mod:`trademind.services.data_service` re-exports
:func:`status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trademind.data import store_summary
from trademind.services.data_report import SymbolStatus

if TYPE_CHECKING:
    from trademind.config.readonly import ReadSettings
    from trademind.db.session import Database


def status(database: Database, settings: ReadSettings) -> list[SymbolStatus]:
    """Every stored series: range, rows, last update and open quality issues (quarantine)."""
    del settings  # the same for every configuration; kept for a uniform service signature
    return [
        SymbolStatus(
            symbol=series.symbol,
            timeframe=series.timeframe,
            first=series.coverage.first if series.coverage else None,
            last=series.coverage.last if series.coverage else None,
            rows=series.coverage.rows if series.coverage else 0,
            last_update=series.coverage.last_ingested_at if series.coverage else None,
            open_issues=series.open_issues,
        )
        for series in store_summary.summary(database)
    ]
