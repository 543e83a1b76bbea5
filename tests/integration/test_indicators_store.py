"""Indicator values and states on real SQLite and PostgreSQL, and the update service."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from support.shared_data import daily_csv

from trademind.config.models import Settings
from trademind.core.clock import TestClock
from trademind.core.errors import ValidationError
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.indicators import store
from trademind.indicators.compute import compute_full
from trademind.indicators.service import update_indicators
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import PriceArrays

WRITTEN_AT = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the time the writer's clock gives

SPEC = IndicatorSpec()


@pytest.fixture(scope="module")
def aapl() -> pd.DataFrame:
    """AAPL daily bars in the bar schema, with an adjusted close (a made-up 1% dividend
    factor on the first half), so the adjusted path is exercised."""
    raw = pd.read_csv(daily_csv("AAPL")).rename(columns=str.lower).iloc[:700]
    frame = pd.DataFrame({"ts": pd.to_datetime(raw.pop("date")).dt.tz_localize("UTC")})
    for column in ("open", "high", "low", "close", "volume"):
        frame[column] = raw[column].to_numpy(dtype="float64")
    factor = np.where(np.arange(len(frame)) < 350, 0.99, 1.0)
    frame["adj_close"] = frame["close"] * factor
    return frame


def adjusted(frame: pd.DataFrame) -> PriceArrays:
    factor = frame["adj_close"] / frame["close"]
    scaled = frame.assign(
        high=frame["high"] * factor,
        low=frame["low"] * factor,
        close=frame["adj_close"],
        volume=frame["volume"] / factor,
    )
    return PriceArrays.from_frame(scaled)


def stored_matches_full_recompute(database: Database, symbol: str, bars: pd.DataFrame) -> None:
    expected = compute_full(SPEC, adjusted(bars))
    stored = store.read_indicators(database, symbol, "1d", names=SPEC.columns)
    frame = expected.frame()
    frame = frame[frame[list(SPEC.columns)].notna().any(axis=1)].reset_index(drop=True)
    assert stored["ts"].tolist() == frame["ts"].tolist()
    for name in SPEC.columns:
        assert stored[name].to_numpy().tobytes() == frame[name].to_numpy().tobytes(), name
    state = database.run(lambda connection: store.load_state(connection, symbol, "1d"))
    assert state is not None
    assert state.same_as(expected.state)


def test_values_round_trip_exactly_and_rewriting_them_changes_nothing(
    database: Database, aapl: pd.DataFrame
) -> None:
    frame = compute_full(SPEC, adjusted(aapl)).frame()
    finite = int(frame[list(SPEC.columns)].notna().to_numpy().sum())
    assert store.write_indicators(database, "AAPL", "1d", frame, now=WRITTEN_AT) == finite
    back = store.read_indicators(database, "AAPL", "1d", names=SPEC.columns)
    first_value = int(frame[list(SPEC.columns)].notna().any(axis=1).to_numpy().argmax())
    expected = frame.iloc[first_value:].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_exact=True)

    assert store.write_indicators(database, "AAPL", "1d", frame, now=WRITTEN_AT) == 0
    changed = frame.copy()
    changed.loc[600, "rsi_14"] = 50.0
    assert store.write_indicators(database, "AAPL", "1d", changed, now=WRITTEN_AT) == 1
    window = store.read_indicators(
        database, "AAPL", "1d", frame["ts"][600], frame["ts"][600], names=["rsi_14"]
    )
    assert window["rsi_14"].tolist() == [50.0]


def test_reading_without_names_pivots_every_stored_name(database: Database) -> None:
    ts = pd.date_range("2024-01-01", periods=3, freq="D", tz="UTC")
    frame = pd.DataFrame({"ts": ts, "b": [1.0, np.nan, 3.0], "a": [np.nan, np.nan, 0.5]})
    assert store.write_indicators(database, "X", "1d", frame, now=WRITTEN_AT) == 3
    back = store.read_indicators(database, "X", "1d")
    assert back.columns.tolist() == ["ts", "a", "b"]
    assert back["ts"].tolist() == [ts[0], ts[2]]
    assert back["b"].tolist() == [1.0, 3.0]
    assert store.read_indicators(database, "NOPE", "1d").empty
    with pytest.raises(ValidationError, match="strictly increasing"):
        store.write_indicators(database, "X", "1d", frame.iloc[[0, 2, 1]], now=WRITTEN_AT)


def test_the_state_survives_the_database_exactly(database: Database, aapl: pd.DataFrame) -> None:
    state = compute_full(SPEC, adjusted(aapl)).state
    database.run(
        lambda connection: store.save_state(connection, "AAPL", "1d", state, now=WRITTEN_AT)
    )
    loaded = database.run(lambda connection: store.load_state(connection, "AAPL", "1d"))
    assert loaded is not None
    assert loaded.same_as(state)
    newer = compute_full(SPEC, adjusted(aapl.iloc[:500])).state
    database.run(
        lambda connection: store.save_state(connection, "AAPL", "1d", newer, now=WRITTEN_AT)
    )
    reloaded = database.run(lambda connection: store.load_state(connection, "AAPL", "1d"))
    assert reloaded is not None
    assert reloaded.same_as(newer)


def test_updates_are_incremental_and_equal_a_full_recompute(
    database: Database, aapl: pd.DataFrame
) -> None:
    bars, settings = BarStore(database), Settings()
    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[:400], now=WRITTEN_AT)
    first = update_indicators(database, settings, ["aapl"], clock=TestClock(WRITTEN_AT))
    assert first.ok
    (result,) = first.results
    assert (result.mode, result.bars_read) == ("full", 400)
    stored_matches_full_recompute(database, "AAPL", aapl.iloc[:400])

    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[400:], now=WRITTEN_AT)
    (result,) = update_indicators(database, settings, None, clock=TestClock(WRITTEN_AT)).results
    assert result.mode == "incremental"
    assert result.bars_read == SPEC.window + 300  # the window and the new bars only
    assert result.values_written == 300 * len(SPEC.columns)
    stored_matches_full_recompute(database, "AAPL", aapl)

    (again,) = update_indicators(database, settings, ["AAPL"], clock=TestClock(WRITTEN_AT)).results
    assert (again.mode, again.values_written) == ("unchanged", 0)
    (forced,) = update_indicators(
        database, settings, ["AAPL"], full=True, clock=TestClock(WRITTEN_AT)
    ).results
    assert forced.mode == "full"
    assert forced.message == "full recompute requested"
    finite = compute_full(SPEC, adjusted(aapl)).frame()[list(SPEC.columns)].notna()
    assert forced.values_written == int(finite.to_numpy().sum())  # replaced, not merged
    stored_matches_full_recompute(database, "AAPL", aapl)


def test_a_new_adjustment_forces_a_full_recompute(database: Database, aapl: pd.DataFrame) -> None:
    bars, settings = BarStore(database), Settings()
    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[:500], now=WRITTEN_AT)
    update_indicators(database, settings, ["AAPL"], clock=TestClock(WRITTEN_AT))
    dividend = aapl.assign(adj_close=aapl["adj_close"] * 0.995)  # every earlier bar moves
    bars.upsert_bars("AAPL", "1d", "csv", dividend, now=WRITTEN_AT)
    (result,) = update_indicators(database, settings, ["AAPL"], clock=TestClock(WRITTEN_AT)).results
    assert result.mode == "full"
    assert "changed" in (result.message or "")
    stored_matches_full_recompute(database, "AAPL", dividend)


def test_back_filled_history_forces_a_full_recompute(
    database: Database, aapl: pd.DataFrame
) -> None:
    bars, settings = BarStore(database), Settings()
    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[300:], now=WRITTEN_AT)
    update_indicators(database, settings, ["AAPL"], clock=TestClock(WRITTEN_AT))
    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[:300], now=WRITTEN_AT)
    (result,) = update_indicators(database, settings, ["AAPL"], clock=TestClock(WRITTEN_AT)).results
    assert result.mode == "full"
    assert "added or removed" in (result.message or "")
    stored_matches_full_recompute(database, "AAPL", aapl)


def test_a_changed_indicator_set_recomputes_and_replaces_the_values(
    database: Database, aapl: pd.DataFrame
) -> None:
    BarStore(database).upsert_bars("AAPL", "1d", "csv", aapl.iloc[:300], now=WRITTEN_AT)
    update_indicators(database, Settings(), ["AAPL"], clock=TestClock(WRITTEN_AT))
    other = Settings.model_validate({"indicators": {"rsi_period": 21, "sma_periods": [10]}})
    (result,) = update_indicators(database, other, ["AAPL"], clock=TestClock(WRITTEN_AT)).results
    assert result.mode == "full"
    assert "indicator set changed" in (result.message or "")
    names = set(store.read_indicators(database, "AAPL", "1d").columns)
    assert {"rsi_21", "sma_10"} <= names
    assert not names & {"rsi_14", "sma_20", "sma_200"}


def test_short_history_and_missing_symbols_do_not_stop_the_others(
    database: Database, aapl: pd.DataFrame
) -> None:
    BarStore(database).upsert_bars("NEW", "1d", "csv", aapl.iloc[:50], now=WRITTEN_AT)
    BarStore(database).upsert_bars("AAPL", "1d", "csv", aapl.iloc[:250], now=WRITTEN_AT)
    report = update_indicators(
        database, Settings(), ["GHOST", "NEW", "AAPL"], clock=TestClock(WRITTEN_AT)
    )
    ghost, young, full = report.results
    assert not report.ok
    assert ghost.error is not None
    assert "no 1d bars stored for GHOST" in ghost.error
    assert young.error is None
    assert young.mode == "full"
    assert "too little history: 50 bars, sma_200 needs 200" in (young.message or "")
    stored = store.read_indicators(database, "NEW", "1d")
    assert stored["rsi_14"].notna().sum() == 50 - 14
    assert "sma_200" not in stored.columns
    assert (full.error, full.mode) == (None, "full")
    assert report.as_dict()["results"][0]["symbol"] == "GHOST"


def _refuse_indicator_rows_of(database: Database, symbol: str) -> None:
    """A trigger that makes every indicator insert of ``symbol`` fail (a failing write)."""
    if database.backend == "sqlite":
        statements = [
            "CREATE TRIGGER refuse BEFORE INSERT ON indicators "
            f"WHEN NEW.symbol = '{symbol}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.symbol = '{symbol}' THEN RAISE EXCEPTION 'refused by test'; END IF; "
            "RETURN NEW; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON indicators "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    for statement in statements:
        database.run(lambda connection, sql=statement: connection.exec_driver_sql(sql))


def test_a_failing_write_leaves_nothing_of_that_symbol_and_the_others_proceed(
    database: Database, aapl: pd.DataFrame
) -> None:
    bars = BarStore(database)
    bars.upsert_bars("BAD", "1d", "csv", aapl.iloc[:300], now=WRITTEN_AT)
    bars.upsert_bars("AAPL", "1d", "csv", aapl.iloc[:300], now=WRITTEN_AT)
    _refuse_indicator_rows_of(database, "BAD")
    bad, good = update_indicators(
        database, Settings(), ["BAD", "AAPL"], clock=TestClock(WRITTEN_AT)
    ).results
    assert bad.error is not None
    assert "refused by test" in bad.error
    assert store.read_indicators(database, "BAD", "1d").empty
    assert database.run(lambda connection: store.load_state(connection, "BAD", "1d")) is None
    assert good.error is None
    stored_matches_full_recompute(database, "AAPL", aapl.iloc[:300])
