"""Plausibility: values no real bar can have, quarantined at ingest and flagged in stored series.

Three checks (codes in :data:`trademind.data.quality.CHECKS`), run on every source:

* ``implausible_price``: a finite, positive price (open, high, low, close or adj_close) above
  :data:`MAX_PRICE` (1e7) or below :data:`MIN_PRICE` (1e-6). The dearest US share (Berkshire
  Hathaway A) trades below 1e6 dollars and sub-penny OTC quotes go down to 1e-4; index levels
  (^N225 about 4e4), crypto (BTC-USD about 1e5) and currency quotes (VND=X about 2.5e4) stay far
  inside. 1e308, an overflowed float or a unit mix-up (micro-dollars) lands outside.
* ``implausible_volume``: a finite volume above :data:`MAX_VOLUME` (1e13 per bar): the busiest
  US share days trade about 1e10 shares and yfinance's dollar volume of BTC-USD is about 1e11.
* ``implausible_return``: a close more than ``max_close_ratio`` (setting
  ``data.max_close_ratio``, default 10) times above or below the median close of the
  :data:`NEIGHBOURS` bars before it *and* of those after it: a bad print that the bars on both
  sides contradict.
  The bound is wide on purpose: real crashes (-80%) and buy-outs (+200%) happen and must stay.
  Across a split the source reports, the neighbours are compared on one scale, so a reported
  split is never implausible. A jump beyond the bound that *persists* (the bars after it stay
  at the new level) is not quarantined at ingest: one bar of it is not the problem, and
  quarantining every bar after it would hide real data; ``data verify`` reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.data.corporate import ReportedSplit, split_factors

MAX_PRICE: Final = 1e7
MIN_PRICE: Final = 1e-6
MAX_VOLUME: Final = 1e13
DEFAULT_MAX_CLOSE_RATIO: Final = 10.0
NEIGHBOURS: Final = 2  # bars on each side whose median close judges a bar

Mask = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def magnitude_masks(
    values: dict[str, FloatArray], finite: dict[str, Mask]
) -> list[tuple[Mask, str, str, str]]:
    """``(mask, check, column, why)`` for each column's implausible magnitudes."""
    masks: list[tuple[Mask, str, str, str]] = []
    for column in ("open", "high", "low", "close", "adj_close"):
        value, usable = values[column], finite[column]
        with np.errstate(invalid="ignore"):
            masks.append(
                (usable & (value > MAX_PRICE), "implausible_price", column, f"above {MAX_PRICE:g}")
            )
            tiny = usable & (value > 0) & (value < MIN_PRICE)
        masks.append((tiny, "implausible_price", column, f"below {MIN_PRICE:g}"))
    with np.errstate(invalid="ignore"):
        huge = finite["volume"] & (values["volume"] > MAX_VOLUME)
    masks.append((huge, "implausible_volume", "volume", f"above {MAX_VOLUME:g}"))
    return masks


def plausible_magnitudes(prices: FloatArray) -> Mask:
    """Rows (of an ``(n, k)`` price array) whose every price is within the plausible range."""
    with np.errstate(invalid="ignore"):
        inside = (prices >= MIN_PRICE) & (prices <= MAX_PRICE)
    return np.asarray(inside.all(axis=1), dtype=bool)


def side_medians(closes: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The median close of the :data:`NEIGHBOURS` bars before and after each bar (NaN where
    there are fewer: near the ends of the series)."""
    count = len(closes)
    padded = np.concatenate((np.full(NEIGHBOURS, np.nan), closes, np.full(NEIGHBOURS, np.nan)))

    def median_of(offsets: range) -> FloatArray:
        around = np.stack([padded[NEIGHBOURS + k : NEIGHBOURS + k + count] for k in offsets], 1)
        medians = np.full(count, np.nan)
        known = (~np.isnan(around)).all(axis=1)
        if known.any():
            medians[known] = np.median(around[known], axis=1)
        return medians

    return median_of(range(-NEIGHBOURS, 0)), median_of(range(1, NEIGHBOURS + 1))


def _beyond(ratio: FloatArray, max_ratio: float) -> Mask:
    with np.errstate(invalid="ignore"):
        result: Mask = (ratio > max_ratio) | (ratio < 1 / max_ratio)
    return result


def _off_both_sides(closes: FloatArray, max_ratio: float) -> tuple[Mask, FloatArray]:
    """Closes beyond ``max_ratio`` of both sides' medians (of the one side at either end; a
    bar with neither, in a series of under three bars, is not judged)."""
    before, after = side_medians(closes)
    with np.errstate(invalid="ignore", divide="ignore"):
        off_before = _beyond(closes / before, max_ratio) | np.isnan(before)
        off_after = _beyond(closes / after, max_ratio) | np.isnan(after)
    flagged: Mask = off_before & off_after & ~(np.isnan(before) & np.isnan(after))
    return flagged, np.where(np.isnan(before), after, before)


def implausible_closes(
    bars: pd.DataFrame,
    *,
    max_ratio: float,
    splits: Sequence[ReportedSplit] | None = None,
) -> tuple[Mask, FloatArray]:
    """Which bars' closes are beyond ``max_ratio`` of the median close of the bars before them
    *and* of the bars after them (a bad print both sides contradict; near either end of the
    series, the one full side there is), and the median they were compared with.

    ``bars`` is sorted by ``ts`` with finite positive closes. With reported splits, a bar is
    implausible only when it is so on the raw closes *and* on the split-scaled ones (a source
    may deliver already adjusted bars, or raw ones).
    """
    closes = bars["close"].to_numpy(dtype=np.float64)
    if len(closes) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    flagged, reference = _off_both_sides(closes, max_ratio)
    if splits and flagged.any():
        scaled = closes * split_factors(bars["ts"], splits)
        flagged &= _off_both_sides(scaled, max_ratio)[0]
    return flagged, reference


def persistent_jumps(
    bars: pd.DataFrame, spikes: Mask, *, max_ratio: float, splits: Sequence[ReportedSplit] | None
) -> Mask:
    """Close-to-close jumps beyond ``max_ratio`` that are no spike (the new level persists)."""
    closes = bars["close"].to_numpy(dtype=np.float64)
    keep = ~spikes
    kept = closes[keep]
    jumps = np.zeros(len(closes), dtype=bool)
    if len(kept) < 2:
        return jumps
    with np.errstate(invalid="ignore", divide="ignore"):
        beyond = _beyond(kept[1:] / kept[:-1], max_ratio)
        if splits:
            scaled = kept * split_factors(bars["ts"][keep], splits)
            beyond &= _beyond(scaled[1:] / scaled[:-1], max_ratio)
    positions = np.flatnonzero(keep)[1:][beyond]
    jumps[positions] = True
    return jumps
