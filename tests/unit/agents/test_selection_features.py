"""Regime features: known answers on synthetic series, TA-Lib's ADX, and causality."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from trademind.agents.selection.features import (
    adx,
    efficiency_ratio,
    index_correlation,
    regime_features,
    volatility_percentile,
)
from trademind.strategies.base import Bars

DAY = 86_400 * 1_000_000_000


def make_bars(close: np.ndarray, symbol: str = "XYZ", *, spread: float = 0.5) -> Bars:
    ts = np.arange(close.shape[0], dtype=np.int64) * DAY
    high = close + spread
    low = close - spread
    return Bars(symbol, ts, close.copy(), high, low, close, np.ones_like(close))


def random_walk(size: int, seed: int, step: float = 1.0) -> np.ndarray:
    return 1000.0 + np.cumsum(np.random.default_rng(seed).normal(0.0, step, size))


def test_adx_equals_talib_on_a_random_walk() -> None:
    bars = make_bars(random_walk(600, 3), spread=0.8)
    ours = adx(bars)
    theirs = talib.ADX(bars.high, bars.low, bars.close, 14)
    assert np.isnan(ours[:27]).all()
    np.testing.assert_allclose(ours[27:], theirs[27:], rtol=1e-9)


def test_a_straight_trend_is_strong_and_efficient_and_a_random_walk_is_neither() -> None:
    trend = make_bars(100.0 + np.arange(400.0))
    walk = make_bars(random_walk(400, 11))
    assert np.nanmin(adx(trend)[60:]) > 90.0
    assert np.nanmedian(adx(walk)) < 40.0
    np.testing.assert_allclose(efficiency_ratio(trend.close)[20:], 1.0)
    assert np.nanmedian(efficiency_ratio(walk.close)) < 0.35


def test_a_market_going_back_and_forth_has_no_efficiency() -> None:
    zigzag = 100.0 + np.tile([0.0, 1.0], 50)
    assert np.nanmax(efficiency_ratio(zigzag)) == pytest.approx(0.0)
    assert efficiency_ratio(np.full(50, 7.0))[30] == 0.0  # no movement at all


def test_volatility_percentile_is_high_in_a_storm_and_low_after_it() -> None:
    rng = np.random.default_rng(5)
    calm, storm = rng.normal(0, 0.005, 400), rng.normal(0, 0.05, 60)
    close = 100.0 * np.exp(np.cumsum(np.concatenate([calm, storm, calm[:100]])))
    pct = volatility_percentile(close)
    assert np.isnan(pct[: 20 + 251]).all()
    assert np.min(pct[401:420]) > 0.99  # the storm builds: above all but a few days of the year
    assert np.min(pct[405:455]) > 0.85
    assert pct[-1] < 0.5
    assert np.nanmin(pct) >= 0.0
    assert np.nanmax(pct) <= 1.0


def test_correlation_with_itself_is_one_and_with_its_mirror_minus_one() -> None:
    close = random_walk(200, 2)
    bars = make_bars(close)
    mirror = make_bars(2 * close[0] - (close - close[0]) * 0.5, "MIRROR")
    np.testing.assert_allclose(index_correlation(bars, bars)[60:], 1.0)
    assert np.nanmax(index_correlation(bars, mirror)) < -0.99
    assert np.isnan(index_correlation(bars, bars)[:60]).all()


def test_a_missing_index_bar_leaves_its_windows_without_a_value() -> None:
    bars = make_bars(random_walk(200, 4))
    keep = np.ones(200, dtype=bool)
    keep[100] = False
    index = Bars(
        "IDX", bars.ts[keep], bars.open[keep], bars.high[keep], bars.low[keep],
        bars.close[keep], bars.volume[keep],
    )  # fmt: skip
    corr = index_correlation(bars, index)
    assert np.isnan(corr[100:161]).all()  # every 60-return window touching bar 100's return
    assert np.isfinite(corr[99])
    assert np.isfinite(corr[161])


def test_no_index_leaves_the_correlation_missing() -> None:
    features = regime_features(make_bars(random_walk(300, 1)))
    assert features.index_correlation is None
    assert features.index_symbol is None


@pytest.mark.parametrize("cut", [30, 120, 290, 299])
def test_features_at_t_do_not_change_when_later_bars_change(cut: int) -> None:
    close = random_walk(400, 8)
    index = make_bars(random_walk(400, 9), "IDX")
    changed = close.copy()
    changed[cut + 1 :] *= np.linspace(0.5, 3.0, 400 - cut - 1)  # a different future
    full = regime_features(make_bars(close), index)
    other = regime_features(make_bars(changed), index)
    head = regime_features(make_bars(close).head(cut + 1), index)
    for name in ("adx", "vol_percentile", "efficiency", "index_correlation"):
        np.testing.assert_array_equal(getattr(full, name)[: cut + 1], getattr(head, name))
        np.testing.assert_array_equal(
            getattr(full, name)[: cut + 1], getattr(other, name)[: cut + 1]
        )
