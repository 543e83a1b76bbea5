"""Results of the market data use cases, as typed results the CLI, the API and jobs can show
(JSON through :func:`~trademind.services.json_ready.to_json`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trademind.core.errors import TradeMindError
from trademind.data.store_types import DeletedSeries
from trademind.services.json_ready import json_fields

if TYPE_CHECKING:
    import pandas as pd


class NoBarsStoredError(TradeMindError):
    """A command needs bars that are not in the database; the message says how to get them."""

    def __init__(self, symbols: list[str], timeframe: str | None = None) -> None:
        names = ",".join(symbols) if symbols else "SYMBOL"
        which = ", ".join(symbols) if symbols else "any symbol"
        at = f" at interval {timeframe}" if timeframe and timeframe != "1d" else ""
        interval = f" --interval {timeframe}" if at else ""
        super().__init__(
            f"no bars stored for {which}{at}; run `trademind data ingest --symbols {names}"
            f"{interval}` (add `--source sample` for the bundled offline data)"
        )
        self.symbols = symbols


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolIngest:
    """What one symbol's ingest did. ``quarantined`` rows failed the quality screen and
    ``rejected`` rows could not be parsed; both are kept in the quarantine, never stored as
    bars. ``error`` is set when the symbol failed (and then nothing of it was written)."""

    symbol: str
    timeframe: str
    source: str
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    rejected: int = 0
    notices: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return json_fields(self) | {"ok": self.ok}


_COUNTS = ("fetched", "inserted", "updated", "unchanged", "quarantined", "rejected")


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestReport:
    """Every symbol of one ``data ingest`` run, in the order they were processed."""

    source: str
    timeframe: str
    results: tuple[SymbolIngest, ...]

    @property
    def failed(self) -> list[SymbolIngest]:
        return [result for result in self.results if not result.ok]

    @property
    def totals(self) -> dict[str, int]:
        totals = {name: sum(getattr(r, name) for r in self.results) for name in _COUNTS}
        return totals | {"symbols": len(self.results), "failed": len(self.failed)}

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "timeframe": self.timeframe,
            "symbols": [result.to_json() for result in self.results],
            "totals": self.totals,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolStatus:
    """One stored series for ``data status``."""

    symbol: str
    timeframe: str
    first: datetime | None
    last: datetime | None
    rows: int
    last_update: datetime | None
    open_issues: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearReport:
    """What ``data clear-cache`` removed."""

    symbol: str | None
    cache_keys: int
    deleted: DeletedSeries | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BarsView:
    """Stored bars of one symbol with their stored indicator values (one column each)."""

    symbol: str
    timeframe: str
    adjusted: bool
    frame: pd.DataFrame = field(repr=False)

    @property
    def indicator_columns(self) -> list[str]:
        base = {"ts", "open", "high", "low", "close", "volume", "adj_close"}
        return [column for column in self.frame.columns if column not in base]

    def to_json(self) -> dict[str, Any]:
        """``{"symbol", "timeframe", "bars": records()}`` (``data show --format json``)."""
        return {"symbol": self.symbol, "timeframe": self.timeframe, "bars": self.records()}

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per bar (NaN as None, ts as ISO 8601 text)."""
        others = [str(column) for column in self.frame.columns if column != "ts"]
        columns = ["ts", *others]
        stamps = [stamp.isoformat() for stamp in self.frame["ts"]]
        values = self.frame[others].to_numpy(dtype=float)
        records = []
        for stamp, row in zip(stamps, values.tolist(), strict=True):
            cleaned = [None if math.isnan(value) else value for value in row]
            records.append(dict(zip(columns, [stamp, *cleaned], strict=True)))
        return records
