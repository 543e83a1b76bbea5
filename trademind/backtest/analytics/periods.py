"""Time in the metrics: bar frequency (periods per year), elapsed years, monthly returns.

Timestamps are UTC epoch nanoseconds (int64), strictly increasing. US equity sessions
(13:30-21:00 UTC) never cross a UTC midnight, so a UTC calendar date is a session date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

NS_PER_DAY: Final = 86_400 * 1_000_000_000
DAYS_PER_YEAR: Final = 365.25
"""A Julian year: elapsed time in years is calendar days / 365.25 (CAGR, turnover spans)."""
TRADING_DAYS_PER_YEAR: Final = 252
_NS_PER_HOUR: Final = 3_600 * 1_000_000_000


def as_timestamps(ts_ns: object) -> IntArray:
    """``ts_ns`` as a 1-D int64 array, strictly increasing, or a ValidationError."""
    ts = np.asarray(ts_ns)
    if ts.ndim != 1 or ts.size == 0:
        raise ValidationError("timestamps must be a non-empty 1-D array of epoch nanoseconds")
    if not np.issubdtype(ts.dtype, np.integer):
        raise ValidationError(f"timestamps must be int64 epoch nanoseconds, got {ts.dtype}")
    ts = ts.astype(np.int64, copy=False)
    if ts.size > 1 and not bool(np.all(np.diff(ts) > 0)):
        raise ValidationError("timestamps must be strictly increasing")
    return ts


def years_between(start_ns: int, end_ns: int) -> float:
    """Elapsed calendar time in Julian years (365.25 days)."""
    return (end_ns - start_ns) / (DAYS_PER_YEAR * NS_PER_DAY)


def infer_periods_per_year(ts_ns: object) -> float:
    """Bars per year from the median bar spacing (the rule docs/metrics.md documents).

    * spacing under 20 hours (intraday): 252 x bars per session, where bars per session is
      the median number of bars per UTC calendar date (1-minute bars of a full regular
      session: 390, so 98,280 a year);
    * under 4 days: daily bars, 252 (weekends and holidays do not move the median);
    * under 20 days: weekly, 52; under 60 days: monthly, 12; under 120 days: quarterly, 4;
    * longer: 365.25 days / spacing.
    """
    ts = as_timestamps(ts_ns)
    if ts.size < 2:
        raise ValidationError("cannot infer the bar frequency from fewer than 2 timestamps")
    spacing = float(np.median(np.diff(ts)))
    day = float(NS_PER_DAY)
    if spacing < 20 * _NS_PER_HOUR:
        new_day = np.flatnonzero(np.diff(ts // NS_PER_DAY)) + 1  # ts is sorted: days are runs
        counts = np.diff(np.concatenate(([0], new_day, [ts.size])))
        return TRADING_DAYS_PER_YEAR * float(np.median(counts))
    for limit_days, periods in ((4, 252.0), (20, 52.0), (60, 12.0), (120, 4.0)):
        if spacing < limit_days * day:
            return periods
    return DAYS_PER_YEAR * day / spacing


@dataclass(frozen=True, eq=False)
class MonthlyReturns:
    """A year x month table of returns (fractions: 0.05 is +5%).

    ``values[i, m]`` is the return of calendar month ``m + 1`` of ``years[i]``; NaN where the
    curve has no bar in that month (before the start, after the end, or a gap in the data).
    ``year_totals[i]`` compounds the months of ``years[i]`` that have a value (NaN for a year
    without any).
    """

    years: tuple[int, ...]
    values: FloatArray
    year_totals: FloatArray


def monthly_returns(ts_ns: object, equity: object) -> MonthlyReturns:
    """Month-over-month returns of an equity curve, by UTC calendar month.

    A month's return is its last equity value over the last value of the previous month that
    has bars, minus 1; the first month is measured from the first equity value. A month with
    no bars stays NaN and the next month's return spans the gap.
    """
    ts = as_timestamps(ts_ns)
    values = np.asarray(equity, dtype=np.float64)
    if values.shape != ts.shape:
        raise ValidationError(f"equity has {values.size} values for {ts.size} timestamps")
    if not bool(np.all(np.isfinite(values))):
        raise ValidationError("equity contains NaN or infinite values")
    if values[0] <= 0:
        raise ValidationError(f"initial equity must be positive, got {values[0]}")
    months = ts.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    last = np.flatnonzero(np.append(months[1:] != months[:-1], True))
    closes = values[last]
    bases = np.concatenate(([values[0]], closes[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        month_returns = np.where(bases > 0, closes / bases - 1.0, np.nan)
    month_index = months[last]
    first_year = int(month_index[0] // 12) + 1970
    last_year = int(month_index[-1] // 12) + 1970
    table = np.full((last_year - first_year + 1, 12), np.nan)
    table[month_index // 12 + 1970 - first_year, month_index % 12] = month_returns
    observed = ~np.isnan(table)
    totals = np.where(observed.any(axis=1), np.nanprod(table + 1.0, axis=1) - 1.0, np.nan)
    return MonthlyReturns(
        years=tuple(range(first_year, last_year + 1)), values=table, year_totals=totals
    )
