"""The benchmark beside an account's equity curve (the dashboard's overview): a symbol's stored
daily closes over the account's snapshots, scaled so it starts at the account's first equity.

``value_t = E_0 x close_t / close_0``, where ``E_0`` is the first snapshot's equity and
``close_0`` the symbol's last close at or before that snapshot; one point per stored close up to
the last snapshot (split and dividend adjusted, as backtests read them). No snapshot, or no
stored close at or before the first one: a ValidationError saying what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.core.errors import ValidationError
from trademind.data.store import BarStore
from trademind.services.portfolio_service import performance

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

ALL_DAYS = 36_500


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchmarkPoint:
    ts: datetime
    value: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchmarkCurve:
    """``symbol`` scaled to the account's first equity (module docstring)."""

    account: str
    symbol: str
    start_equity: Decimal
    points: tuple[BenchmarkPoint, ...]


def benchmark_curve(
    database: Database, clock: Clock, account: str | None, symbol: str
) -> BenchmarkCurve:
    """The benchmark curve of ``symbol`` over ``account``'s snapshots (module docstring)."""
    curve = performance(database, clock, account, ALL_DAYS)
    if not curve.points:
        raise ValidationError(f"{curve.account.name} has no equity snapshots yet")
    first, last = curve.points[0], curve.points[-1]
    frame = BarStore(database).read_bars(symbol, "1d", end=last.ts, adjusted=True)
    if frame.empty:
        raise ValidationError(
            f"no stored daily bars of {symbol.upper()}: "
            f"`trademind data ingest --symbols {symbol.upper()}`"
        )
    times = [_moment(ts) for ts in frame["ts"]]
    closes = [Decimal(str(value)) for value in frame["close"]]
    before = [i for i, moment in enumerate(times) if moment <= first.ts]
    if not before:
        raise ValidationError(f"no stored close of {symbol.upper()} on or before {first.ts:%F}")
    base = before[-1]
    scale = first.equity / closes[base]
    points = tuple(
        BenchmarkPoint(ts=times[i], value=closes[i] * scale) for i in range(base, len(times))
    )
    return BenchmarkCurve(
        account=curve.account.name, symbol=symbol.upper(), start_equity=first.equity, points=points
    )


def _moment(value: object) -> datetime:
    moment = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
