"""The indicator set: names, warm-ups, the state key, settings; numba's cache fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.dialects import sqlite

from trademind.config.models import Settings
from trademind.core.errors import ValidationError
from trademind.db.types import UtcDateTime
from trademind.indicators import kernels
from trademind.indicators.compute import initial_state
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.store import sqlite_timestamp_text, sqlite_timestamp_texts


def test_default_columns_are_named_after_their_parameters() -> None:
    assert IndicatorSpec().columns == (
        "rsi_14",
        "macd_12_26_9",
        "macd_12_26_9_signal",
        "macd_12_26_9_hist",
        "sma_20",
        "sma_50",
        "sma_200",
        "ema_12",
        "ema_26",
        "bb_20_2_lower",
        "bb_20_2_middle",
        "bb_20_2_upper",
        "bb_20_2_bandwidth",
        "bb_20_2_pctb",
        "atr_14",
        "obv",
        "volume_trend_20",
        "stoch_14_3_3_k",
        "stoch_14_3_3_d",
    )


def test_a_fractional_band_width_gets_a_name_without_a_dot() -> None:
    assert IndicatorSpec(bollinger_std=2.5).bollinger_name == "bb_20_2p5"


def test_lookbacks_are_ta_libs_and_the_window_covers_every_rolling_window() -> None:
    spec = IndicatorSpec()
    lookbacks = spec.lookbacks()
    assert lookbacks["rsi_14"] == 14
    assert lookbacks["atr_14"] == 14
    assert lookbacks["macd_12_26_9"] == lookbacks["macd_12_26_9_hist"] == 33
    assert lookbacks["ema_26"] == 25
    assert lookbacks["stoch_14_3_3_d"] == 17
    assert lookbacks["obv"] == 0
    assert spec.longest_warmup == ("sma_200", 200)
    assert spec.window == 199
    assert IndicatorSpec(sma_periods=(5,), bollinger_period=3).window == 19  # volume trend 20


def test_the_key_changes_with_any_parameter_and_only_then() -> None:
    base = IndicatorSpec()
    assert base.key == IndicatorSpec().key
    assert len(base.key) == 64
    variants = [
        IndicatorSpec(rsi_period=15),
        IndicatorSpec(sma_periods=(20, 50)),
        IndicatorSpec(bollinger_std=2.1),
        IndicatorSpec(stoch_d_period=4),
        IndicatorSpec(volume_trend_period=10),
    ]
    assert len({base.key, *(variant.key for variant in variants)}) == 6


def test_the_default_settings_give_the_default_set() -> None:
    assert IndicatorSpec.from_settings(Settings().indicators) == IndicatorSpec()


def test_settings_reach_the_spec() -> None:
    settings = Settings.model_validate(
        {"indicators": {"sma_periods": [5, 10], "stoch_k_period": 9, "bollinger_std": 1.5}}
    )
    spec = IndicatorSpec.from_settings(settings.indicators)
    assert spec.sma_periods == (5, 10)
    assert "stoch_9_3_3_k" in spec.columns
    assert "bb_20_1p5_pctb" in spec.columns


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"macd_fast": 26}, "macd_slow"),
        ({"rsi_period": 1}, "rsi_period must be at least 2"),
        ({"sma_periods": (20, 20)}, "must not repeat"),
        ({"bollinger_std": 0.0}, "bollinger_std"),
        ({"stoch_d_period": 0}, "stoch_d_period"),
    ],
)
def test_an_invalid_set_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        IndicatorSpec(**changes)  # type: ignore[arg-type]


def test_the_state_layout_has_room_for_the_stochastic_rings() -> None:
    small = IndicatorSpec(stoch_k_smoothing=1, stoch_d_period=1)
    large = IndicatorSpec(stoch_k_smoothing=5, stoch_d_period=7)
    assert len(initial_state(large)) - len(initial_state(small)) == 10


def test_kernels_without_a_cache_location_still_compile() -> None:
    """numba cannot cache a function without a source file (as in a read-only install with
    no writable cache directory); the kernels then compile without the disk cache."""
    namespace: dict[str, object] = {}
    exec("def twice(x):\n    return 2.0 * x\n", namespace)  # no __file__: no cache locator
    compiled = kernels._compile(namespace["twice"])  # type: ignore[arg-type]
    assert compiled(21.0) == 42.0
    assert compiled.py_func is namespace["twice"]  # type: ignore[attr-defined]


def test_sqlite_timestamp_text_is_exactly_what_utc_datetime_stores() -> None:
    dialect = sqlite.dialect()
    bind = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    moments = [
        datetime(2013, 1, 2, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 3, 10, 7, 5, 1, 250, tzinfo=UTC),
        datetime(2024, 6, 3, 9, 30, tzinfo=UTC) + timedelta(hours=-4),
    ]
    ts_ns = pd.DatetimeIndex(moments).as_unit("ns").asi8
    texts = sqlite_timestamp_texts(np.asarray(ts_ns, dtype=np.int64))
    assert texts == [bind(moment) for moment in moments]
    assert [sqlite_timestamp_text(moment) for moment in moments] == texts
    assert sqlite_timestamp_texts(np.empty(0, dtype=np.int64)) == []
