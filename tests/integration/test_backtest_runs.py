"""Backtest runs stored and read back on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from trademind.core.errors import ValidationError
from trademind.db.backtest_runs import BacktestRunRepository, RunRecord
from trademind.db.session import Database


def _run(strategy: str = "ma_crossover", final: float = 112_345.678912345) -> RunRecord:
    return RunRecord(
        strategy=strategy,
        symbols=("AAPL", "MSFT"),
        timeframe="1d",
        period_start=datetime(2020, 1, 2, tzinfo=UTC),
        period_end=datetime(2024, 12, 31, tzinfo=UTC),
        initial_capital=100_000.0,
        final_equity=final,
        config={"commission": {"kind": "percentage", "rate": 0.001}},
        params={"fast": 10, "slow": 30, "average": "sma"},
        metrics={"sharpe": 1.25, "win_rate": None, "final_equity": final},
        equity_curve=[["2020-01-02T00:00:00+00:00", 100_000.0], ["2024-12-31", final]],
        trades=[{"symbol": "AAPL", "quantity": 12.5, "pnl": 0.1 + 0.2, "entry_reason": "x"}],
        started_at=datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
        finished_at=datetime(2025, 1, 2, 9, 1, tzinfo=UTC),
    )


def test_a_run_round_trips_with_exact_floats_in_json(database: Database) -> None:
    with database.session() as session:
        run_id = BacktestRunRepository(session).add(_run())
    with database.session() as session:
        back = BacktestRunRepository(session).get(run_id)
    assert back.id == run_id
    assert back.symbols == ("AAPL", "MSFT")
    assert back.trades[0]["pnl"] == 0.1 + 0.2  # JSON keeps the float exactly
    assert back.metrics == {"sharpe": 1.25, "win_rate": None, "final_equity": 112_345.678912345}
    assert back.final_equity == pytest.approx(112_345.678912345, abs=1e-8)  # money column: 8 dp
    assert back.period_start == datetime(2020, 1, 2, tzinfo=UTC)
    assert back.status == "completed"
    assert (back.started_at, back.finished_at) == (
        datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
        datetime(2025, 1, 2, 9, 1, tzinfo=UTC),
    )


def test_a_run_is_stored_only_when_it_says_when_it_finished(database: Database) -> None:
    """No wall-clock default fills in a missing finish time (issue 10, item 4)."""
    with (
        database.session() as session,
        pytest.raises(ValidationError, match="finished_at"),
    ):
        BacktestRunRepository(session).add(replace(_run(), finished_at=None))


def test_recent_lists_newest_first_and_filters(database: Database) -> None:
    with database.session() as session:
        repository = BacktestRunRepository(session)
        first = repository.add(_run("ma_crossover"))
        second = repository.add(_run("rsi_mean_reversion"))
        third = repository.add(_run("ma_crossover"))
    with database.session() as session:
        repository = BacktestRunRepository(session)
        assert [run.id for run in repository.recent(2)] == [third, second]
        assert [run.id for run in repository.recent(10, strategy="ma_crossover")] == [third, first]
        with pytest.raises(ValidationError, match="limit"):
            repository.recent(0)


def test_unknown_id_is_a_clear_error(database: Database) -> None:
    with (
        database.session() as session,
        pytest.raises(ValidationError, match=r"no run #424242 stored"),
    ):
        BacktestRunRepository(session).get(424242)


def test_summaries_skip_curves_and_trades(database: Database) -> None:
    with database.session() as session:
        repository = BacktestRunRepository(session)
        first = repository.add(_run("ma_crossover"))
        second = repository.add(_run("rsi_mean_reversion", final=90_000.0))
    with database.session() as session:
        summaries = BacktestRunRepository(session).summaries()
    assert [s.id for s in summaries] == [second, first]
    assert summaries[0].final_equity == 90_000.0
    assert summaries[0].metrics["final_equity"] == 90_000.0
    assert not hasattr(summaries[0], "trades")
