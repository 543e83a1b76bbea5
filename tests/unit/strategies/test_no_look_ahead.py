"""No strategy looks ahead: signals computed on ``bars.head(t)`` equal the full-history signals
at every index below ``t`` (entries, exits, confidence, reason code, quoted value and reason
text, NaN equal to NaN), for random valid parameters drawn from each declaration and random
bar series (random walks, series full of ties, and slices of the real daily data).

The checker is shown to catch peeking: two deliberately peeking fakes (tomorrow's close; a
full-history average) fail the very same property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from support.shared_data import SHARED_DATA, daily_csv, data_set_required

from trademind.core.errors import ValidationError
from trademind.strategies import registry, rules
from trademind.strategies.base import Bars, Param, ParamValue, Signals, Strategy

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def _load_closes() -> dict[str, np.ndarray]:
    if not SHARED_DATA.is_dir() and not data_set_required():
        return {}  # generated series only; CI requires the data set (daily_csv fails there)
    return {
        symbol: pd.read_csv(daily_csv(symbol))["Close"].to_numpy(dtype=np.float64)
        for symbol in ("AAPL", "TSLA", "NVDA")
    }


REAL_CLOSES = _load_closes()


# --- generators ----------------------------------------------------------------------------


def param_values(param: Param) -> st.SearchStrategy[ParamValue]:
    """Any value the declaration allows, short look-backs more often (so that short random
    series still produce signals)."""
    if param.kind == "choice":
        return st.sampled_from(param.choices)
    low = param.minimum if param.minimum is not None else -1e6
    high = param.maximum if param.maximum is not None else 1e6
    if param.kind == "int":
        small = st.integers(int(low), int(min(high, low + 30)))
        return st.one_of(small, small, st.integers(int(low), int(high)))
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def valid_params(draw: st.DrawFn, strategy: Strategy) -> dict[str, ParamValue]:
    drawn = {param.name: draw(param_values(param)) for param in strategy.params}
    try:
        return registry.resolve(strategy, drawn)
    except ValidationError:
        assume(False)  # values valid one by one that do not fit together (slow <= fast)
        raise  # unreachable: assume(False) stops the example


def make_bars(close: np.ndarray) -> Bars:
    close = np.ascontiguousarray(close, dtype=np.float64)
    ts = np.arange(close.size, dtype=np.int64) * 86_400 * 10**9
    return Bars("TEST", ts, close, close * 1.01, close * 0.99, close, np.ones(close.size))


@st.composite
def bar_series(draw: st.DrawFn) -> Bars:
    kind = draw(st.sampled_from(["walk", "ties", "real"] if REAL_CLOSES else ["walk", "ties"]))
    size = draw(st.integers(1, 250))
    if kind == "walk":
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, size)))
    elif kind == "ties":  # few distinct prices: equal averages, zero changes, flat bands
        close = np.array(draw(st.lists(st.integers(1, 4), min_size=size, max_size=size)), float)
    else:
        series = REAL_CLOSES[draw(st.sampled_from(sorted(REAL_CLOSES)))]
        size = draw(st.integers(1, 600))
        start = draw(st.integers(0, series.size - size))
        close = series[start : start + size]
    return make_bars(close)


# --- the checker ---------------------------------------------------------------------------


def assert_same_prefix(full: Signals, part: Signals, cut: int) -> None:
    """``part`` (computed on the first ``cut`` bars) equals ``full`` on those bars."""
    for name in ("entries", "exits", "confidence", "reason", "reason_value"):
        expected, actual = getattr(full, name)[:cut], getattr(part, name)
        assert actual.shape == (cut,), name
        assert np.array_equal(actual, expected, equal_nan=expected.dtype.kind == "f"), (
            f"{name} differs at bar(s) {np.flatnonzero(~_equal(actual, expected))[:5]} "
            f"when only {cut} bars are known"
        )
    for index in range(cut):
        assert part.describe(index) == full.describe(index), index


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same = a == b
    if a.dtype.kind == "f":
        same |= np.isnan(a) & np.isnan(b)
    return same


def check_no_look_ahead(
    strategy: Strategy, bars: Bars, params: Mapping[str, ParamValue], cuts: list[int]
) -> None:
    full = strategy.signals(bars, params)
    for cut in cuts:
        assert_same_prefix(full, strategy.signals(bars.head(cut), params), cut)


@st.composite
def cut_points(draw: st.DrawFn, size: int, warmup: int) -> list[int]:
    """Every cut of a short series; else around the warm-up, the end and random ones."""
    if size <= 40:
        return list(range(size + 1))
    near = [cut for cut in (warmup - 1, warmup, warmup + 1, warmup + 2) if 0 <= cut <= size]
    return sorted({*near, size, *draw(st.lists(st.integers(0, size), max_size=12))})


def no_look_ahead_property(
    strategy: Strategy, phases: tuple[Phase, ...] = tuple(Phase)
) -> Callable[[], None]:
    """The hypothesis property for ``strategy``: call the result to run it."""

    @settings(SETTINGS, phases=phases)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        params = data.draw(valid_params(strategy), label="params")
        bars = data.draw(bar_series(), label="bars")
        cuts = data.draw(cut_points(len(bars), strategy.warmup(params)), label="cuts")
        check_no_look_ahead(strategy, bars, params, cuts)

    return run


# --- the properties ------------------------------------------------------------------------


@pytest.mark.parametrize("name", registry.strategy_names())
def test_signals_never_look_ahead(name: str) -> None:
    no_look_ahead_property(registry.get_strategy(name))()


@pytest.mark.parametrize("name", registry.strategy_names())
@SETTINGS
@given(data=st.data())
def test_signals_keep_the_contract(name: str, data: st.DataObject) -> None:
    """Never an entry and an exit on one bar; confidence in [0, 1] and 0 without a signal;
    no reason and a NaN value without a signal; nothing before the warm-up."""
    strategy = registry.get_strategy(name)
    params = data.draw(valid_params(strategy), label="params")
    bars = data.draw(bar_series(), label="bars")
    signals = strategy.signals(bars, params)
    acting = signals.entries | signals.exits
    assert not (signals.entries & signals.exits).any()
    assert ((signals.confidence >= 0.0) & (signals.confidence <= 1.0)).all()
    assert (signals.confidence[acting] >= 0.5).all()
    assert (signals.confidence[~acting] == 0.0).all()
    assert (signals.reason[~acting] == 0).all()
    assert (signals.reason[acting] > 0).all()
    assert np.isnan(signals.reason_value[~acting]).all()
    assert not acting[: strategy.warmup(params)].any()


# --- the checker catches peeking -----------------------------------------------------------


class TomorrowPeeker:
    """Buys when tomorrow's close is higher: the classic look-ahead bug."""

    name = "tomorrow_peeker"
    description = "Peeks one bar ahead."
    params = (Param("length", "int", 3, "Unused look-back.", minimum=2, maximum=10),)

    def check(self, params: Mapping[str, ParamValue]) -> None:
        """Nothing to check."""

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return 0

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        close = bars.close
        rising = np.zeros(len(bars), dtype=np.bool_)
        rising[:-1] = close[1:] > close[:-1]
        nothing = np.full(len(bars), np.nan)
        return rules.assemble(
            rising, np.zeros(len(bars), np.bool_), np.ones(len(bars)), nothing, close,
            nothing, ("tomorrow is higher than {value}", ""),
        )  # fmt: skip


class FullHistoryPeeker(TomorrowPeeker):
    """Buys below the average of the whole history, later bars included: a subtler leak."""

    name = "full_history_peeker"

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        close = bars.close
        below = close < (close.mean() if len(bars) else 0.0)
        nothing = np.full(len(bars), np.nan)
        return rules.assemble(
            below, np.zeros(len(bars), np.bool_), np.full(len(bars), 0.7), nothing, close,
            nothing, ("below the mean, {value}", ""),
        )  # fmt: skip


@pytest.mark.parametrize("peeker", [TomorrowPeeker(), FullHistoryPeeker()])
def test_the_property_catches_a_peeking_strategy(peeker: Strategy) -> None:
    walk = make_bars(100.0 * np.exp(np.cumsum(np.random.default_rng(7).normal(0, 0.02, 60))))
    with pytest.raises(AssertionError, match="differs"):
        check_no_look_ahead(peeker, walk, registry.resolve(peeker), list(range(61)))
    # and the hypothesis property itself fails on it (no shrinking: just find it)
    with pytest.raises(AssertionError):
        no_look_ahead_property(peeker, phases=(Phase.explicit, Phase.generate))()
