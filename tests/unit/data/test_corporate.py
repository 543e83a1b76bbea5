"""Corporate actions: adjusted series from adj_close, and probable unadjusted splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trademind.core.errors import ValidationError
from trademind.data.corporate import adjusted_frame, detect_unadjusted_splits
from trademind.data.providers import BarRequest
from trademind.data.providers.csv import CsvProvider


def walk(days: int = 300, seed: int = 7, daily_range: float = 0.01) -> pd.DataFrame:
    """A calm deterministic random walk of daily bars (small gaps, ranges about 1%)."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, days)))
    open_ = np.concatenate(([100.0], close[:-1])) * np.exp(rng.normal(0, 0.002, days))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, daily_range, days))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, daily_range, days))
    return pd.DataFrame(
        {
            "ts": pd.date_range("2021-01-04", periods=days, freq="B", tz="UTC"),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": np.full(days, 1e6),
            "adj_close": np.nan,
        }
    )


def unadjusted(frame: pd.DataFrame, at: int, ratio: float) -> pd.DataFrame:
    """History before bar ``at`` as an unadjusted source shows it after a ``ratio``:1 split."""
    result = frame.copy()
    result.loc[: at - 1, ["open", "high", "low", "close"]] *= ratio
    result.loc[: at - 1, "volume"] /= ratio
    return result


def test_adjusted_frame_scales_prices_by_the_factor_and_volume_inversely() -> None:
    frame = walk(3)
    frame["adj_close"] = frame["close"] * np.array([0.5, 0.8, 1.0])
    adjusted = adjusted_frame(frame, use_adjusted=True)
    np.testing.assert_allclose(adjusted["open"], frame["open"] * [0.5, 0.8, 1.0])
    np.testing.assert_allclose(adjusted["high"], frame["high"] * [0.5, 0.8, 1.0])
    np.testing.assert_allclose(adjusted["low"], frame["low"] * [0.5, 0.8, 1.0])
    np.testing.assert_allclose(adjusted["close"], frame["adj_close"])
    np.testing.assert_allclose(adjusted["volume"], frame["volume"] / [0.5, 0.8, 1.0])
    np.testing.assert_allclose(
        adjusted["close"] * adjusted["volume"],
        frame["adj_close"] * frame["volume"] / [0.5, 0.8, 1.0],
    )
    assert frame["open"].iloc[0] != adjusted["open"].iloc[0]  # the input is not modified


def test_adjusted_frame_leaves_raw_series_alone() -> None:
    frame = walk(3)
    frame["adj_close"] = frame["close"] / 2
    raw = adjusted_frame(frame, use_adjusted=False)
    pd.testing.assert_frame_equal(raw, frame)
    assert raw is not frame
    no_adjustment = walk(3)
    pd.testing.assert_frame_equal(adjusted_frame(no_adjustment, use_adjusted=True), no_adjustment)


def test_partial_adjustment_is_refused() -> None:
    frame = walk(4)
    frame.loc[2:, "adj_close"] = frame.loc[2:, "close"]
    with pytest.raises(ValidationError, match=r"missing on 2 of 4 bars .*refusing to mix"):
        adjusted_frame(frame, use_adjusted=True)


def test_a_non_positive_factor_is_refused() -> None:
    frame = walk(2)
    frame["adj_close"] = [1.0, -1.0]
    with pytest.raises(ValidationError, match="no positive factor"):
        adjusted_frame(frame, use_adjusted=True)


@pytest.mark.parametrize(
    ("ratio", "label"),
    [
        (2, "2:1"),
        (3, "3:1"),
        (1.5, "3:2"),
        (4, "4:1"),
        (10, "10:1"),
        (20, "20:1"),
        (0.5, "1:2"),
        (0.1, "1:10"),
        (0.05, "1:20"),
    ],
)
def test_an_unadjusted_split_is_flagged_with_its_ratio(ratio: float, label: str) -> None:
    frame = unadjusted(walk(), at=150, ratio=ratio)
    [suspect] = detect_unadjusted_splits(frame)
    assert suspect.ts == frame["ts"].iloc[150].to_pydatetime()
    assert suspect.nearest == label
    assert suspect.ratio == pytest.approx(ratio, rel=0.02)


def test_the_adjusted_series_has_no_suspect() -> None:
    assert detect_unadjusted_splits(walk()) == []


def test_no_suspect_in_the_real_shared_files(daily_dir: Path) -> None:
    provider = CsvProvider(daily_dir)
    for symbol in provider.available_symbols():
        assert detect_unadjusted_splits(provider.fetch(BarRequest(symbol, "1d")).bars) == [], symbol


def test_a_jump_that_comes_straight_back_is_not_a_split() -> None:
    frame = walk()
    frame.loc[150, ["open", "high", "low", "close"]] *= 0.5
    assert detect_unadjusted_splits(frame) == []


def test_a_crash_whose_range_reaches_the_previous_bar_is_not_a_split() -> None:
    frame = unadjusted(walk(), at=150, ratio=2)
    frame.loc[150, "high"] = frame.loc[149, "low"] * 1.01
    assert detect_unadjusted_splits(frame) == []


def test_a_gap_the_usual_ranges_explain_is_not_a_split() -> None:
    wild = walk(daily_range=0.25)
    frame = unadjusted(wild, at=150, ratio=1.5)
    frame.loc[150, "high"] = min(frame.loc[150, "high"], frame.loc[149, "low"] * 0.99)
    assert detect_unadjusted_splits(frame) == []
    calm = unadjusted(walk(), at=150, ratio=1.5)
    assert len(detect_unadjusted_splits(calm)) == 1


def test_too_short_frames_give_nothing_and_unusable_bars_are_skipped() -> None:
    assert detect_unadjusted_splits(walk(1)) == []
    frame = unadjusted(walk(), at=150, ratio=2)
    frame.loc[149, "close"] = np.nan  # compared with the last usable bar instead
    [suspect] = detect_unadjusted_splits(frame)
    assert suspect.ts == frame["ts"].iloc[150].to_pydatetime()
