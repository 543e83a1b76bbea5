"""`ab run`'s comparison on constructed replay ledgers: daily equity per UTC day, the days
aligned, counts in the window, the verdict, and the stored row read back as the same view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.services.ab_figures import VariantRun, compare, daily_closes
from trademind.services.ab_views import AbSetup, record_of, view_of
from trademind.services.safety_history_report import EquityPoint, OrderFact, SessionRecord, Window

START = datetime(2021, 1, 4, 21, tzinfo=UTC)
WINDOW = Window(start=datetime(2021, 1, 4, tzinfo=UTC), end=datetime(2022, 1, 1, tzinfo=UTC))


def _day(k: int) -> datetime:
    return START + timedelta(days=k)


def _record(equities: list[float], fills: int = 0) -> SessionRecord:
    return SessionRecord(
        safety=True,
        initial_cash=100.0,
        points=tuple(EquityPoint(_day(k), value) for k, value in enumerate(equities)),
        orders=(OrderFact(at=_day(1), symbol="AAPL", status="filled", entry=True),),
        fill_times=tuple(_day(k) for k in range(fills)),
        events=(),
        round_trip_exits=(_day(2), datetime(2020, 1, 1, tzinfo=UTC)),
    )


def _run(name: str, record: SessionRecord) -> VariantRun:
    return VariantRun(
        name=name,
        account=f"ab-{name}",
        record=record,
        decisions={"buy": 1, "sell": 1, "hold": 5, "vetoed": 0},
        llm_calls=0,
        llm_cost_usd=0.0,
    )


def _path(days: int, step: float) -> list[float]:
    values, equity = [], 100.0
    for k in range(days):
        equity *= 1.0 + step * (1 if k % 3 else -1)
        values.append(equity)
    return values


def test_the_last_snapshot_of_each_day_in_the_window_counts() -> None:
    record = SessionRecord(
        safety=True,
        initial_cash=100.0,
        points=(
            EquityPoint(datetime(2021, 1, 1, tzinfo=UTC), 99.0),  # before: E_0
            EquityPoint(_day(0), 101.0),
            EquityPoint(_day(0) + timedelta(hours=4), 102.0),  # the next UTC day
            EquityPoint(datetime(2022, 1, 1, tzinfo=UTC), 500.0),  # after the window
        ),
        orders=(),
        fill_times=(),
        events=(),
        round_trip_exits=(),
    )
    start, closes = daily_closes(record, WINDOW)
    assert start == 99.0
    assert list(closes.values()) == [101.0, 102.0]


def test_identical_replays_differ_by_zero_and_only_common_days_count() -> None:
    path = _path(60, 0.01)
    a = _run("rules", _record(path, fills=3))
    b = _run("hybrid", _record([*path, 130.0], fills=3))  # one day more than A
    result = compare(a, b, WINDOW, resamples=200, seed=1, block_length=5)
    assert result.bootstrap.days == 60
    assert result.dropped_days == 1
    assert result.bootstrap.sharpe.estimate == 0.0
    assert result.a.final_equity == result.b.final_equity == pytest.approx(path[-1])
    assert result.a.orders == 1
    assert result.a.round_trips == 1  # the exit before the window is not counted
    assert "no significant difference" in result.verdict
    assert result.verdict.startswith("hybrid's Sharpe is equal to rules' over 60 days")


def test_a_better_variant_is_called_significant() -> None:
    base = _path(120, 0.01)
    better = [value * (1.002 ** (k + 1)) for k, value in enumerate(base)]
    result = compare(
        _run("rules", _record(base)), _run("hybrid", _record(better)), WINDOW, 500, 0, 10
    )
    assert result.bootstrap.sharpe.low > 0
    assert "higher than rules'" in result.verdict
    assert "significant at 95%" in result.verdict


def test_the_stored_row_reads_back_as_the_same_figures() -> None:
    result = compare(
        _run("rules", _record(_path(40, 0.01))),
        _run("hybrid", _record(_path(40, 0.02))),
        WINDOW,
        100,
        3,
        10,
    )
    setup = AbSetup(
        strategy="ma_crossover",
        params={"fast": 20},
        symbols=("AAPL",),
        timeframe="1d",
        replay_start=datetime(2020, 10, 1, tzinfo=UTC),
        initial_cash=100.0,
    )
    record = record_of(result, setup, datetime(2026, 1, 1, tzinfo=UTC), ("a notice",))
    view = view_of(record)
    assert view.a == result.a
    assert view.b == result.b
    assert view.sharpe == result.bootstrap.sharpe
    assert view.curve_days == result.days
    assert view.equity_b == result.equity_b
    assert view.setup == setup
    assert view.notices == ("a notice",)
    assert view.significant == result.bootstrap.sharpe.excludes_zero


def test_the_cli_bounds_follow_the_bootstrap_they_bound() -> None:
    from trademind.backtest.analytics.montecarlo import MAX_RUNS
    from trademind.services.ab_limits import DEFAULT_BLOCK_DAYS, MAX_RESAMPLES
    from trademind.services.safety_validation_checks import BLOCK_LENGTH

    assert MAX_RESAMPLES == MAX_RUNS
    assert DEFAULT_BLOCK_DAYS == BLOCK_LENGTH
