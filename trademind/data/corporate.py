"""Corporate actions: adjusted series from the source's adjusted close, and unadjusted splits.

The store keeps what the source gave (raw OHLCV plus ``adj_close`` when the source has one).
:func:`adjusted_frame` derives the split- and dividend-adjusted series that indicators and
backtests use by default (``settings.data.adjusted_prices``): every price is scaled by
``adj_close / close`` of its bar and the volume by the inverse, so the traded value of a bar
is unchanged. :func:`detect_unadjusted_splits` flags split-like gaps: an overnight jump that
lands on a split ratio and that the bars' ranges cannot explain. Such a gap is only called a
split after :func:`reported_split_for` cross-checks it with the splits the source reports
(:class:`ReportedSplit`; yfinance reports them, CSV files and the sample do not): a takeover
premium of +50% looks exactly like an unadjusted 2:3 split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.core.errors import ValidationError

# (ratio previous close / open, how people write it). Forward splits make the open smaller.
SPLIT_RATIOS: Final = (
    (2.0, "2:1"),
    (3.0, "3:1"),
    (1.5, "3:2"),
    (4.0, "4:1"),
    (5.0, "5:1"),
    (10.0, "10:1"),
    (20.0, "20:1"),
    (0.5, "1:2"),
    (1 / 3, "1:3"),
    (2 / 3, "2:3"),
    (0.25, "1:4"),
    (0.2, "1:5"),
    (0.1, "1:10"),
    (0.05, "1:20"),
)
SPLIT_TOLERANCE: Final = 0.03  # relative distance of the overnight ratio from a split ratio
RANGE_MULTIPLE: Final = 4.0  # the gap must exceed this many typical bar ranges (log high/low)
RANGE_WINDOW: Final = 20  # bars before the gap used for the typical range (median)
_PRICES: Final = ("open", "high", "low", "close")


@dataclass(frozen=True)
class SplitSuspect:
    """A bar whose open looks like an unadjusted split of the previous close."""

    ts: datetime
    ratio: float  # previous close / this open
    nearest: str  # "2:1" (forward split), "1:10" (reverse split)


@dataclass(frozen=True)
class ReportedSplit:
    """A split the source reports: from ``ts`` (its first bar at the new scale, the ex-date)
    on, one old share is ``factor`` new ones (2.0 for a 2:1 split, 0.1 for a 1:10 reverse)."""

    ts: datetime
    factor: float

    @property
    def label(self) -> str:
        """How people write it: ``2:1``, ``3:2``, ``1:10``."""
        ratio = Fraction(self.factor).limit_denominator(1000)
        return f"{ratio.numerator}:{ratio.denominator}"


def reported_split_for(
    suspect: SplitSuspect, splits: Sequence[ReportedSplit]
) -> ReportedSplit | None:
    """The reported split that explains a split-like gap: same session date, and a factor
    within :data:`SPLIT_TOLERANCE` of the gap's ratio; None when no reported split does."""
    for split in splits:
        same_day = pd.Timestamp(split.ts).date() == pd.Timestamp(suspect.ts).date()
        if same_day and abs(suspect.ratio / split.factor - 1) <= SPLIT_TOLERANCE:
            return split
    return None


def split_factors(stamps: pd.Series, splits: Sequence[ReportedSplit]) -> npt.NDArray[np.float64]:
    """Per bar, the product of the factors of the reported splits at or before it: a close
    times its factor is on the scale of the first bar (before every split)."""
    factors = np.ones(len(stamps), dtype=np.float64)
    values = pd.DatetimeIndex(stamps)
    for split in splits:
        moment = pd.Timestamp(split.ts)
        if moment.tzinfo is None:
            moment = moment.tz_localize("UTC")
        if split.factor > 0 and np.isfinite(split.factor):
            factors[np.asarray(values >= moment.normalize())] *= split.factor
    return factors


def adjusted_frame(frame: pd.DataFrame, *, use_adjusted: bool) -> pd.DataFrame:
    """OHLC scaled by ``adj_close / close`` and volume by its inverse, if ``use_adjusted``.

    Unchanged (a copy) when ``use_adjusted`` is False or the series has no adjusted close at
    all. A series with an adjusted close on some bars only is refused (ValidationError):
    mixing adjusted and raw bars would corrupt every indicator across the boundary.
    """
    result = frame.copy()
    if not use_adjusted or "adj_close" not in frame.columns:
        return result
    adj = pd.to_numeric(frame["adj_close"], errors="coerce")
    present = adj.notna()
    if not present.any():
        return result
    if not present.all():
        first_missing = frame.loc[~present].iloc[0]
        raise ValidationError(
            f"adjusted close is missing on {int((~present).sum())} of {len(frame)} bars "
            f"(first at {first_missing.get('ts', first_missing.name)}): refusing to mix "
            "adjusted and raw prices; re-ingest the series or use raw prices"
        )
    close = frame["close"].astype("float64")
    factor = adj / close
    bad = ~np.isfinite(factor) | (factor <= 0)
    if bad.any():
        where = frame.loc[bad].iloc[0]
        raise ValidationError(
            f"cannot adjust: close {where['close']} and adjusted close {where['adj_close']} "
            f"at {where.get('ts', where.name)} give no positive factor"
        )
    for column in ("open", "high", "low", "close"):
        result[column] = frame[column].astype("float64") * factor
    result["close"] = adj
    result["volume"] = frame["volume"].astype("float64") / factor
    return result


def detect_unadjusted_splits(frame: pd.DataFrame) -> list[SplitSuspect]:
    """Bars whose overnight ratio (previous close / open) sits on a split ratio.

    A bar is a suspect when the ratio is within :data:`SPLIT_TOLERANCE` of one of
    :data:`SPLIT_RATIOS`, the bar's whole range lies beyond the previous bar's range (high
    below the previous low for a forward split, low above the previous high for a reverse
    one), the jump exceeds :data:`RANGE_MULTIPLE` typical ranges, and it is not undone by the
    next bar nor undoes the previous one (that is a bad print, reported as an outlier).
    """
    bars = _clean_prices(frame)
    if len(bars) < 2:
        return []
    opens, highs, lows, closes = (bars[c].to_numpy(dtype="float64") for c in _PRICES)
    ratio = np.full(len(bars), np.nan)
    ratio[1:] = closes[:-1] / opens[1:]
    log_range = pd.Series(np.log(highs / lows))
    rolling = log_range.shift(1).rolling(RANGE_WINDOW, min_periods=1).median()
    typical = rolling.fillna(float(log_range.median())).to_numpy()
    suspects: list[SplitSuspect] = []
    gaps = np.abs(np.log(ratio)) > RANGE_MULTIPLE * typical
    for position in np.flatnonzero(gaps).tolist():
        value = float(ratio[position])
        nearest = _nearest_split(value)
        if nearest is None:
            continue
        if value > 1:
            beyond = highs[position] < lows[position - 1]
        else:
            beyond = lows[position] > highs[position - 1]
        if not beyond or _reverts(ratio, position, value):
            continue
        ts = pd.Timestamp(bars["ts"].iloc[position]).to_pydatetime()
        suspects.append(SplitSuspect(ts=ts, ratio=round(value, 6), nearest=nearest))
    return suspects


def _nearest_split(ratio: float) -> str | None:
    for value, label in SPLIT_RATIOS:
        if abs(ratio / value - 1) <= SPLIT_TOLERANCE:
            return label
    return None


def _reverts(ratio: npt.NDArray[np.float64], position: int, value: float) -> bool:
    """True when the jump at ``position`` undoes the previous one or is undone by the next."""
    for neighbour in (position - 1, position + 1):
        if 0 <= neighbour < len(ratio):
            other = float(ratio[neighbour])
            if np.isfinite(other) and abs(other * value - 1) <= 2 * SPLIT_TOLERANCE:
                return True
    return False


def _clean_prices(frame: pd.DataFrame) -> pd.DataFrame:
    """Bars with finite positive OHLC and a timestamp, sorted, one per timestamp."""
    prices = frame[list(_PRICES)].to_numpy(dtype="float64")
    valid = (
        np.isfinite(prices).all(axis=1) & (prices > 0).all(axis=1) & frame["ts"].notna().to_numpy()
    )
    bars = frame.loc[valid, ["ts", *_PRICES]]
    bars = bars.sort_values("ts", kind="stable").drop_duplicates("ts", keep=False)
    return bars.reset_index(drop=True)
