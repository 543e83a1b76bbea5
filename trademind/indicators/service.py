"""Compute and store the configured indicator set for stored bars, incrementally when possible.

Per symbol, in one transaction (a failing symbol leaves nothing half-written and does not stop
the others):

* **incremental** when a saved state matches the indicator set and the bars it saw are
  unchanged (same count, same window bytes): only the window and the new bars are read and
  run through the kernels, giving exactly the values a full recompute gives;
* **full** otherwise (first run, ``full=True``, changed set, changed or back-filled bars,
  e.g. a new dividend that moved every adjusted price): the symbol's stored values are
  replaced.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import psycopg
import sqlalchemy as sa

from trademind.core.clock import Clock
from trademind.core.errors import TradeMindError
from trademind.data.schema import check_timeframe, normalise_symbol
from trademind.data.store import BarStore
from trademind.indicators import store
from trademind.indicators.compute import Computation, compute_full, compute_incremental
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import EngineState, PriceArrays, StateMismatchError

if TYPE_CHECKING:
    from trademind.config.models import Settings
    from trademind.db.session import Database

Mode = Literal["full", "incremental", "unchanged", "skipped"]


@dataclass(frozen=True)
class SymbolIndicators:
    """What one symbol's update did. ``message`` explains a full recompute or a short
    history; ``error`` is set when the symbol failed (nothing of it was written)."""

    symbol: str
    bars_read: int
    values_written: int
    mode: Mode
    message: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class IndicatorReport:
    """The outcome of one ``update_indicators`` call."""

    timeframe: str
    spec_key: str
    columns: tuple[str, ...]
    results: tuple[SymbolIndicators, ...]

    @property
    def ok(self) -> bool:
        return all(result.error is None for result in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "timeframe": self.timeframe,
            "spec_key": self.spec_key,
            "columns": list(self.columns),
            "ok": self.ok,
            "results": [asdict(result) for result in self.results],
        }


def update_indicators(
    database: Database,
    settings: Settings,
    symbols: list[str] | None,
    timeframe: str = "1d",
    *,
    clock: Clock,
    full: bool = False,
) -> IndicatorReport:
    """Bring the stored indicators of ``symbols`` (None: every stored symbol at ``timeframe``)
    up to date with their bars, on adjusted prices when ``settings.data.adjusted_prices``;
    what is written is stamped with ``clock``'s time."""
    timeframe = check_timeframe(timeframe)
    spec = IndicatorSpec.from_settings(settings.indicators)
    bars = BarStore(database)
    if symbols is None:
        names = [symbol for symbol, frame in bars.symbols() if frame == timeframe]
    else:
        names = list(dict.fromkeys(normalise_symbol(symbol) for symbol in symbols))
    updater = _SymbolUpdater(
        database, bars, spec, timeframe, settings.data.adjusted_prices, clock=clock
    )
    results = tuple(updater.update(symbol, full=full) for symbol in names)
    return IndicatorReport(timeframe, spec.key, spec.columns, results)


class _SymbolUpdater:
    def __init__(
        self,
        database: Database,
        bars: BarStore,
        spec: IndicatorSpec,
        timeframe: str,
        adjusted: bool,
        *,
        clock: Clock,
    ) -> None:
        self._clock = clock
        self._database = database
        self._bars = bars
        self._spec = spec
        self._timeframe = timeframe
        self._adjusted = adjusted

    def update(self, symbol: str, *, full: bool) -> SymbolIndicators:
        try:
            return self._update(symbol, full=full)
        except TradeMindError as exc:
            return SymbolIndicators(symbol, 0, 0, "skipped", error=str(exc))
        except (sa.exc.SQLAlchemyError, psycopg.Error, sqlite3.Error) as exc:
            # the bulk writes use the driver connection, so driver errors arrive unwrapped
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            message = reason[0] if reason else type(exc).__name__
            return SymbolIndicators(symbol, 0, 0, "skipped", error=f"database error: {message}")

    def _update(self, symbol: str, *, full: bool) -> SymbolIndicators:
        state = None if full else self._load_state(symbol)
        reason = "full recompute requested" if full else "no saved state"
        if state is not None:
            try:
                return self._incremental(symbol, state)
            except StateMismatchError as exc:
                reason = str(exc)
        return self._full(symbol, reason)

    def _load_state(self, symbol: str) -> EngineState | None:
        return self._database.run(
            lambda connection: store.load_state(connection, symbol, self._timeframe)
        )

    def _read(self, symbol: str, start: int | None) -> PriceArrays:
        moment = None if start is None else store.as_datetime(start)
        frame = self._bars.read_bars(symbol, self._timeframe, moment, adjusted=self._adjusted)
        return PriceArrays.from_frame(frame)

    def _incremental(self, symbol: str, state: EngineState) -> SymbolIndicators:
        if state.spec_key != self._spec.key:
            raise StateMismatchError("the indicator set changed")
        prices = self._read(symbol, state.window_start_ts)
        coverage = self._bars.coverage(symbol, self._timeframe)
        stored_before = (coverage.rows if coverage else 0) - len(prices)
        if stored_before != state.bars_seen - state.window_length:
            raise StateMismatchError("bars before the last update were added or removed")
        split = int((prices.ts <= state.last_ts).sum())
        window, new = prices.slice(0, split), prices.slice(split, len(prices))
        result = compute_incremental(self._spec, state, window, new)
        if len(new) == 0:
            return SymbolIndicators(symbol, len(prices), 0, "unchanged")
        written = self._save(symbol, result, replace=False)
        return SymbolIndicators(
            symbol, len(prices), written, "incremental", self._short_history(result)
        )

    def _full(self, symbol: str, reason: str) -> SymbolIndicators:
        prices = self._read(symbol, None)
        if len(prices) == 0:
            raise TradeMindError(
                f"no {self._timeframe} bars stored for {symbol}: ingest them first "
                f"(trademind data ingest --symbols {symbol})"
            )
        result = compute_full(self._spec, prices)
        written = self._save(symbol, result, replace=True)
        notes = [reason, self._short_history(result)]
        message = "; ".join(note for note in notes if note)
        return SymbolIndicators(symbol, len(prices), written, "full", message)

    def _save(self, symbol: str, result: Computation, *, replace: bool) -> int:
        now = self._clock.now()

        def work(connection: sa.Connection) -> int:
            if replace:
                store.delete_values(connection, symbol, self._timeframe)
            written = store.write_values(
                connection, symbol, self._timeframe, result.ts, result.columns, now=now
            )
            store.save_state(connection, symbol, self._timeframe, result.state, now=now)
            return written

        return self._database.run(work, bulk=True)

    def _short_history(self, result: Computation) -> str | None:
        name, needed = self._spec.longest_warmup
        if result.state.bars_seen >= needed:
            return None
        return (
            f"too little history: {result.state.bars_seen} bars, {name} needs {needed}; "
            "indicators with a longer warm-up have no values yet"
        )
