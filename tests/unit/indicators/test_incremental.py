"""Incremental updates continue the same arithmetic from the same state: bit-identical results."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from trademind.core.errors import ValidationError
from trademind.indicators.compute import Computation, compute_full, compute_incremental
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import EngineState, PriceArrays, StateMismatchError

DEFAULT = IndicatorSpec()
SMALL = IndicatorSpec(
    rsi_period=3,
    macd_fast=2,
    macd_slow=5,
    macd_signal=3,
    sma_periods=(2, 9),
    ema_periods=(4,),
    bollinger_period=4,
    bollinger_std=1.5,
    atr_period=3,
    volume_trend_period=4,
    stoch_k_period=5,
    stoch_k_smoothing=2,
    stoch_d_period=3,
)


def run_in_pieces(spec: IndicatorSpec, prices: PriceArrays, cuts: list[int]) -> list[Computation]:
    """A full computation of the first piece, then one incremental update per later piece,
    each given only the window the state asks for (as the service reads it from the store)."""
    bounds = [0, *cuts, len(prices)]
    results = [compute_full(spec, prices.slice(0, bounds[1]))]
    for first, last in itertools.pairwise(bounds[1:]):
        state = results[-1].state
        window = prices.slice(first - state.window_length, first)
        results.append(compute_incremental(spec, state, window, prices.slice(first, last)))
    return results


def assert_bitwise_equal(pieces: list[Computation], full: Computation) -> None:
    for name, expected in full.columns.items():
        joined = np.concatenate([piece.columns[name] for piece in pieces])
        assert np.array_equal(joined, expected, equal_nan=True), name
        assert joined.tobytes() == expected.tobytes(), name  # same bits, NaNs included
    assert pieces[-1].state.same_as(full.state)
    assert np.array_equal(np.concatenate([piece.ts for piece in pieces]), full.ts)


@pytest.mark.parametrize(
    "cuts",
    [[1], [2], [14], [25], [33], [199], [200], [201], [1000], [2767], [1, 2, 3, 50, 51, 2000]],
)
def test_incremental_equals_full_on_a_real_series(
    cuts: list[int], daily_series: dict[str, PriceArrays]
) -> None:
    prices = daily_series["TSLA"]
    assert_bitwise_equal(run_in_pieces(DEFAULT, prices, cuts), compute_full(DEFAULT, prices))


@st.composite
def price_series(draw: st.DrawFn) -> PriceArrays:
    """Positive, valid OHLC bars: random returns (flat runs and rounded prices included, so
    ties and zero changes occur), high >= max(open, close) and low <= min(open, close)."""
    size = draw(st.integers(1, 260))
    moves = draw(arrays(np.float64, size, elements=st.floats(-0.25, 0.25)))
    flat = draw(arrays(np.bool_, size))
    wicks = draw(arrays(np.float64, (2, size), elements=st.floats(0.0, 0.08)))
    volume = draw(arrays(np.float64, size, elements=st.sampled_from([0.0, 1.0, 950.0, 7.5e8])))
    close = 40.0 * np.exp(np.cumsum(np.where(flat, 0.0, moves)))
    if draw(st.booleans()):
        close = np.maximum(np.round(close, 2), 0.01)
    previous = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(previous, close) * (1 + wicks[0])
    low = np.minimum(previous, close) * (1 - wicks[1])
    return PriceArrays(np.arange(size, dtype=np.int64) * 60_000_000_000, high, low, close, volume)


@settings(max_examples=150, deadline=None)
@given(
    prices=price_series(),
    spec=st.sampled_from([DEFAULT, SMALL]),
    data=st.data(),
)
def test_incremental_equals_full_for_any_split(
    prices: PriceArrays, spec: IndicatorSpec, data: st.DataObject
) -> None:
    if len(prices) < 2:
        cuts: list[int] = []
    else:
        points = st.lists(st.integers(1, len(prices) - 1), min_size=1, max_size=5, unique=True)
        cuts = sorted(data.draw(points))
    assert_bitwise_equal(run_in_pieces(spec, prices, cuts), compute_full(spec, prices))


def test_the_state_survives_a_bytes_round_trip_exactly(
    daily_series: dict[str, PriceArrays],
) -> None:
    state = compute_full(DEFAULT, daily_series["AAPL"].slice(0, 300)).state
    values = EngineState.values_from_bytes(state.values_bytes())
    assert values.tobytes() == state.values.tobytes()
    assert len(state.values_bytes()) == 8 * len(state.values)


def _state_and_rest(prices: PriceArrays, cut: int) -> tuple[EngineState, PriceArrays, PriceArrays]:
    state = compute_full(DEFAULT, prices.slice(0, cut)).state
    return state, prices.slice(cut - state.window_length, cut), prices.slice(cut, len(prices))


def test_a_different_indicator_set_refuses_the_state(daily_series: dict[str, PriceArrays]) -> None:
    state, window, new = _state_and_rest(daily_series["AAPL"], 500)
    other = IndicatorSpec(rsi_period=21)
    with pytest.raises(StateMismatchError, match="indicator set changed"):
        compute_incremental(other, state, window, new)


def test_changed_window_bars_refuse_the_state(daily_series: dict[str, PriceArrays]) -> None:
    """A new dividend re-scales every adjusted price before it: the window no longer matches."""
    state, window, new = _state_and_rest(daily_series["AAPL"], 500)
    adjusted = PriceArrays(
        window.ts, window.high * 0.99, window.low * 0.99, window.close * 0.99, window.volume
    )
    with pytest.raises(StateMismatchError, match="changed"):
        compute_incremental(DEFAULT, state, adjusted, new)
    last_bar_revised = window.close.copy()
    last_bar_revised[-1] += 0.01
    revised = PriceArrays(window.ts, window.high, window.low, last_bar_revised, window.volume)
    with pytest.raises(StateMismatchError):
        compute_incremental(DEFAULT, state, revised, new)


def test_a_short_or_shifted_window_refuses_the_state(daily_series: dict[str, PriceArrays]) -> None:
    prices = daily_series["AAPL"]
    state, window, new = _state_and_rest(prices, 500)
    with pytest.raises(StateMismatchError, match="expected the 199 bars"):
        compute_incremental(DEFAULT, state, window.slice(1, len(window)), new)
    with pytest.raises(StateMismatchError, match="moved"):
        compute_incremental(DEFAULT, state, prices.slice(300, 499), new)
    with pytest.raises(StateMismatchError, match="after the last bar"):
        compute_incremental(DEFAULT, state, window, prices.slice(499, 600))


def test_no_new_bars_keeps_the_state(daily_series: dict[str, PriceArrays]) -> None:
    state, window, _ = _state_and_rest(daily_series["AAPL"], 500)
    result = compute_incremental(DEFAULT, state, window, PriceArrays.empty())
    assert result.state is state
    assert all(len(values) == 0 for values in result.columns.values())


def test_bars_with_nan_or_unordered_timestamps_are_refused() -> None:
    close = np.array([10.0, np.nan, 11.0])
    ok = np.array([10.0, 10.5, 11.0])
    ts = np.arange(3, dtype=np.int64)
    with pytest.raises(ValidationError, match="'close' has NaN"):
        compute_full(DEFAULT, PriceArrays(ts, ok + 1, ok - 1, close, np.ones(3)))
    with pytest.raises(ValidationError, match="strictly increasing"):
        compute_full(DEFAULT, PriceArrays(ts[::-1].copy(), ok, ok, ok, np.ones(3)))
