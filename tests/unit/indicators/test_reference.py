"""The kernels against TA-Lib and against textbook definitions, on the seven real series.

The textbook references below are deliberately plain (loops, two-pass means and deviations,
``100 - 100 / (1 + RS)``): different arithmetic from TA-Lib's running sums, so agreement to
1e-9 shows the definitions match, not just the code. NaN positions (the warm-ups) must be
identical everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from trademind.indicators.compute import compute_full
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import PriceArrays

SPEC = IndicatorSpec()
RTOL = 1e-9
Array = np.ndarray


def assert_matches(
    actual: Array, expected: Array, *, rtol: float = RTOL, atol: float = 0.0
) -> None:
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), "warm-up NaNs differ"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


# --- textbook references -------------------------------------------------------------------


def ref_sma(x: Array, n: int) -> Array:
    out = np.full(len(x), np.nan)
    for i in range(n - 1, len(x)):
        out[i] = np.mean(x[i - n + 1 : i + 1])
    return out


def ref_ema(x: Array, n: int, first: int = 0) -> Array:
    """EMA whose first input is x[first], seeded with the mean of its first n inputs."""
    alpha = 2.0 / (n + 1)
    out = np.full(len(x), np.nan)
    seed = first + n - 1
    if seed < len(x):
        out[seed] = np.mean(x[first : seed + 1])
    for i in range(seed + 1, len(x)):
        out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]
    return out


def ref_rsi(close: Array, n: int) -> Array:
    change = np.diff(close)
    gains, losses = np.maximum(change, 0.0), np.maximum(-change, 0.0)
    out = np.full(len(close), np.nan)
    avg_gain, avg_loss = np.mean(gains[:n]), np.mean(losses[:n])
    for i in range(n, len(close)):
        if i > n:
            avg_gain = (avg_gain * (n - 1) + gains[i - 1]) / n
            avg_loss = (avg_loss * (n - 1) + losses[i - 1]) / n
        out[i] = 100.0 if avg_loss == 0 else 100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
    return out


def ref_macd(close: Array, fast: int, slow: int, signal: int) -> tuple[Array, Array, Array]:
    """TA-Lib's MACD: the fast EMA starts (is seeded) on the bar where the slow one does."""
    fast_ema = ref_ema(close, fast, first=slow - fast)
    slow_ema = ref_ema(close, slow)
    line = fast_ema - slow_ema
    signal_line = np.full(len(close), np.nan)
    signal_line[slow - 1 :] = ref_ema(line[slow - 1 :], signal)
    line[: slow + signal - 2] = np.nan
    return line, signal_line, line - signal_line


def ref_bollinger(close: Array, n: int, k: float) -> dict[str, Array]:
    middle, deviation = np.full(len(close), np.nan), np.full(len(close), np.nan)
    for i in range(n - 1, len(close)):
        window = close[i - n + 1 : i + 1]
        middle[i] = np.mean(window)
        deviation[i] = np.sqrt(np.mean((window - window.mean()) ** 2))  # population
    upper, lower = middle + k * deviation, middle - k * deviation
    return {
        "lower": lower,
        "middle": middle,
        "upper": upper,
        "bandwidth": (upper - lower) / middle,
        "pctb": (close - lower) / (upper - lower),
    }


def ref_atr(high: Array, low: Array, close: Array, n: int) -> Array:
    true_range = np.full(len(close), np.nan)
    for i in range(1, len(close)):
        true_range[i] = max(high[i], close[i - 1]) - min(low[i], close[i - 1])
    out = np.full(len(close), np.nan)
    out[n] = np.mean(true_range[1 : n + 1])
    for i in range(n + 1, len(close)):
        out[i] = (out[i - 1] * (n - 1) + true_range[i]) / n
    return out


def ref_obv(close: Array, volume: Array) -> Array:
    out = np.empty(len(close))
    out[0] = volume[0]
    for i in range(1, len(close)):
        out[i] = out[i - 1] + np.sign(close[i] - close[i - 1]) * volume[i]
    return out


def ref_stoch(
    high: Array, low: Array, close: Array, *, k: int, slow: int, d: int
) -> tuple[Array, Array]:
    fast_k = np.full(len(close), np.nan)
    for i in range(k - 1, len(close)):
        highest, lowest = high[i - k + 1 : i + 1].max(), low[i - k + 1 : i + 1].min()
        fast_k[i] = 0.0 if highest == lowest else 100 * (close[i] - lowest) / (highest - lowest)
    slow_k = np.full(len(close), np.nan)
    slow_k[k - 1 :] = ref_sma(fast_k[k - 1 :], slow)
    slow_d = np.full(len(close), np.nan)
    slow_d[k + slow - 2 :] = ref_sma(slow_k[k + slow - 2 :], d)
    slow_k[: k + slow + d - 3] = np.nan
    return slow_k, slow_d


def textbook(p: PriceArrays) -> dict[str, Array]:
    close, high, low, volume = p.close, p.high, p.low, p.volume
    line, signal, hist = ref_macd(close, 12, 26, 9)
    bands = ref_bollinger(close, 20, 2.0)
    slow_k, slow_d = ref_stoch(high, low, close, k=14, slow=3, d=3)
    expected = {"rsi_14": ref_rsi(close, 14), "macd_12_26_9": line}
    expected |= {"macd_12_26_9_signal": signal, "macd_12_26_9_hist": hist}
    expected |= {f"sma_{n}": ref_sma(close, n) for n in (20, 50, 200)}
    expected |= {f"ema_{n}": ref_ema(close, n) for n in (12, 26)}
    expected |= {f"bb_20_2_{part}": values for part, values in bands.items()}
    expected |= {"atr_14": ref_atr(high, low, close, 14), "obv": ref_obv(close, volume)}
    expected |= {"volume_trend_20": volume / ref_sma(volume, 20)}
    expected |= {"stoch_14_3_3_k": slow_k, "stoch_14_3_3_d": slow_d}
    return expected


def ta_lib(p: PriceArrays) -> dict[str, Array]:
    close, high, low, volume = p.close, p.high, p.low, p.volume
    line, signal, hist = talib.MACD(close, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    slow_k, slow_d = talib.STOCH(high, low, close, 14, 3, 0, 3, 0)
    expected = {"rsi_14": talib.RSI(close, 14), "macd_12_26_9": line}
    expected |= {"macd_12_26_9_signal": signal, "macd_12_26_9_hist": hist}
    expected |= {f"sma_{n}": talib.SMA(close, n) for n in (20, 50, 200)}
    expected |= {f"ema_{n}": talib.EMA(close, n) for n in (12, 26)}
    expected |= {"bb_20_2_lower": lower, "bb_20_2_middle": middle, "bb_20_2_upper": upper}
    expected |= {"atr_14": talib.ATR(high, low, close, 14), "obv": talib.OBV(close, volume)}
    expected |= {"volume_trend_20": volume / talib.SMA(volume, 20)}
    expected |= {"stoch_14_3_3_k": slow_k, "stoch_14_3_3_d": slow_d}
    return expected


def _textbook_atol(name: str, prices: PriceArrays) -> float:
    """Values that are differences crossing zero get an absolute tolerance on their scale.

    MACD line, signal and histogram are differences of price-level EMAs: near a zero crossing
    the relative error of any arithmetic explodes, so they are compared to 1e-12 of the price
    level. %B (0..1 scale) divides by the band width: TA-Lib's one-pass variance
    (E[x^2] - mean^2) and the two-pass one differ by ~1e-12 there.
    """
    if name.startswith("macd"):
        return 1e-12 * float(np.max(np.abs(prices.close)))
    return 1e-9 if name.endswith("pctb") else 0.0


# --- tests ---------------------------------------------------------------------------------


def test_every_indicator_matches_ta_lib_on_every_real_series(
    daily_series: dict[str, PriceArrays],
) -> None:
    for symbol, prices in daily_series.items():
        ours = compute_full(SPEC, prices).columns
        for name, expected in ta_lib(prices).items():
            try:
                assert_matches(ours[name], expected)
            except AssertionError as exc:
                raise AssertionError(f"{symbol} {name}: {exc}") from None


def test_every_indicator_matches_the_textbook_definition_on_every_real_series(
    daily_series: dict[str, PriceArrays],
) -> None:
    for symbol, prices in daily_series.items():
        ours = compute_full(SPEC, prices).columns
        expected = textbook(prices)
        assert set(expected) == set(SPEC.columns)
        for name in SPEC.columns:
            try:
                assert_matches(ours[name], expected[name], atol=_textbook_atol(name, prices))
            except AssertionError as exc:
                raise AssertionError(f"{symbol} {name}: {exc}") from None


def test_warm_ups_end_where_the_spec_says_and_no_value_is_missing_after(
    daily_series: dict[str, PriceArrays],
) -> None:
    for prices in daily_series.values():
        ours = compute_full(SPEC, prices).columns
        for name, lookback in SPEC.lookbacks().items():
            values = ours[name]
            assert np.isnan(values[:lookback]).all(), name
            assert np.isfinite(values[lookback:]).all(), name


def test_pandas_ta_with_talib_true_delegates_to_ta_lib_and_so_matches() -> None:
    """pandas-ta's own RSI seeds differently (and its bbands use the sample deviation unless
    told otherwise); with talib=True it calls TA-Lib, whose values the kernels reproduce."""
    import pandas_ta

    rng = np.random.default_rng(7)
    close = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 600))))
    prices = PriceArrays(
        ts=np.arange(600, dtype=np.int64),
        high=close.to_numpy() * 1.01,
        low=close.to_numpy() * 0.99,
        close=close.to_numpy(),
        volume=np.full(600, 1e6),
    )
    ours = compute_full(SPEC, prices).columns
    rsi = pandas_ta.rsi(close, length=14, talib=True).to_numpy()
    assert np.array_equal(rsi, talib.RSI(close.to_numpy(), 14), equal_nan=True)
    assert_matches(ours["rsi_14"], rsi)
    bands = pandas_ta.bbands(close, length=20, std=2.0, talib=True)
    assert_matches(ours["bb_20_2_lower"], bands["BBL_20_2.0_2.0"].to_numpy())
    assert_matches(ours["bb_20_2_upper"], bands["BBU_20_2.0_2.0"].to_numpy())
    assert_matches(100 * ours["bb_20_2_bandwidth"], bands["BBB_20_2.0_2.0"].to_numpy())
    assert_matches(ours["bb_20_2_pctb"], bands["BBP_20_2.0_2.0"].to_numpy(), atol=1e-9)
    native = pandas_ta.rsi(close, length=14, talib=False).to_numpy()
    assert np.nanmax(np.abs(native - rsi)) > 1e-3  # why the project pins the TA-Lib definition


@pytest.mark.parametrize(
    "spec",
    [
        IndicatorSpec(
            rsi_period=2,
            macd_fast=3,
            macd_slow=4,
            macd_signal=2,
            sma_periods=(2, 7),
            ema_periods=(2, 30),
            bollinger_period=5,
            bollinger_std=1.0,
            atr_period=2,
            volume_trend_period=3,
            stoch_k_period=1,
            stoch_k_smoothing=1,
            stoch_d_period=1,
        ),
        IndicatorSpec(
            rsi_period=30,
            macd_fast=5,
            macd_slow=35,
            macd_signal=12,
            bollinger_period=50,
            bollinger_std=2.5,
            stoch_k_period=30,
            stoch_k_smoothing=5,
            stoch_d_period=4,
        ),
    ],
)
def test_other_lengths_match_ta_lib(
    spec: IndicatorSpec, daily_series: dict[str, PriceArrays]
) -> None:
    prices = daily_series["MSFT"]
    close, high, low = prices.close, prices.high, prices.low
    ours = compute_full(spec, prices).columns
    macd = talib.MACD(close, spec.macd_fast, spec.macd_slow, spec.macd_signal)
    bands = talib.BBANDS(close, spec.bollinger_period, spec.bollinger_std, spec.bollinger_std, 0)
    stoch = (spec.stoch_k_period, spec.stoch_k_smoothing, 0, spec.stoch_d_period, 0)
    slow_k, slow_d = talib.STOCH(high, low, close, *stoch)
    assert_matches(ours[f"rsi_{spec.rsi_period}"], talib.RSI(close, spec.rsi_period))
    for suffix, expected in zip(("", "_signal", "_hist"), macd, strict=True):
        assert_matches(ours[spec.macd_name + suffix], expected)
    for part, expected in zip(("upper", "middle", "lower"), bands, strict=True):
        assert_matches(ours[f"{spec.bollinger_name}_{part}"], expected)
    for period in spec.ema_periods:
        assert_matches(ours[f"ema_{period}"], talib.EMA(close, period))
    assert_matches(ours[f"atr_{spec.atr_period}"], talib.ATR(high, low, close, spec.atr_period))
    assert_matches(ours[f"{spec.stoch_name}_k"], slow_k)
    assert_matches(ours[f"{spec.stoch_name}_d"], slow_d)


def test_flat_prices_follow_ta_lib_conventions() -> None:
    """No movement: RSI 0 (TA-Lib's zero-sum rule), deviation 0, %B undefined, stoch 0."""
    flat = np.full(60, 50.0)
    prices = PriceArrays(np.arange(60, dtype=np.int64), flat, flat, flat, np.zeros(60))
    ours = compute_full(SPEC, prices).columns
    assert_matches(ours["rsi_14"], talib.RSI(flat, 14))
    assert np.all(ours["rsi_14"][14:] == 0.0)
    assert np.all(ours["bb_20_2_upper"][19:] == 50.0)
    assert np.isnan(ours["bb_20_2_pctb"]).all()
    assert np.isnan(ours["volume_trend_20"]).all()  # zero average volume: undefined
    assert_matches(ours["stoch_14_3_3_k"], talib.STOCH(flat, flat, flat, 14, 3, 0, 3, 0)[0])
