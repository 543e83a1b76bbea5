"""Sweeps and walk-forward on stored real bars (../shared/data AAPL), in and across processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.shared_data import daily_csv

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.research.runner import RunSpec, run_window
from trademind.backtest.research.sweep import grid_candidates, random_candidates, score, sweep
from trademind.backtest.research.walkforward import split_windows, walk_forward
from trademind.core.errors import ValidationError
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.fills.commission import PercentageCommission
from trademind.fills.slippage import NoSlippage
from trademind.services.backtest_bars import DataRef, read_bars

WRITTEN_AT = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the time the writer's clock gives

CONFIG = BacktestConfig(commission=PercentageCommission(0.001), slippage=NoSlippage())


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Database, DataRef]:
    raw = pd.read_csv(daily_csv("AAPL"))  # skips without ../shared/data (fails in CI)
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(raw["Date"], utc=True),
            "open": raw["Open"],
            "high": raw["High"],
            "low": raw["Low"],
            "close": raw["Close"],
            "volume": raw["Volume"],
        }
    )
    url = f"sqlite:///{tmp_path / 'robust.db'}"
    database = Database(url)
    database.ensure_schema()
    BarStore(database).upsert_bars("AAPL", "1d", "csv", frame, now=WRITTEN_AT)
    return database, DataRef(url, ("AAPL",), "1d", adjusted=False)


def test_grid_skips_invalid_combinations_and_names_why() -> None:
    valid, skipped = grid_candidates("ma_crossover", {"fast": [5, 10, 40], "slow": [20, 30]})
    assert [(p["fast"], p["slow"]) for p in valid] == [(5, 20), (5, 30), (10, 20), (10, 30)]
    assert len(skipped) == 2
    assert all("ma_crossover" in reason for reason in skipped)


def test_random_draws_are_valid_distinct_and_seeded() -> None:
    first, _ = random_candidates("rsi_mean_reversion", 12, seed=3)
    again, _ = random_candidates("rsi_mean_reversion", 12, seed=3)
    assert first == again
    assert len({tuple(p.values()) for p in first}) == 12
    assert all(2 <= int(p["length"]) <= 500 for p in first)


def test_sweep_picks_the_best_trial_and_deflates_its_sharpe(
    stored: tuple[Database, DataRef],
) -> None:
    database, ref = stored
    bars = read_bars(database, ref)
    candidates, _ = grid_candidates("ma_crossover", {"fast": [5, 10, 20], "slow": [30, 50]})
    result = sweep(ref, RunSpec("ma_crossover", config=CONFIG), candidates, workers=1, bars=bars)
    assert len(result.trials) == 6
    assert result.best is not None
    assert result.best.metrics["sharpe"] == max(t.metrics["sharpe"] for t in result.trials)
    direct = run_window(bars, RunSpec("ma_crossover", result.best.params, CONFIG), None)
    assert direct.metrics == result.best.metrics  # a trial is reproducible on its own
    assert result.deflated_sharpe is not None
    assert 0.0 <= result.deflated_sharpe <= 1.0


def test_processes_give_the_same_trials_as_one_process(stored: tuple[Database, DataRef]) -> None:
    _, ref = stored
    candidates, _ = grid_candidates("rsi_mean_reversion", {"length": [7, 14], "oversold": [25]})
    spec = RunSpec("rsi_mean_reversion", config=CONFIG)
    inline = sweep(ref, spec, candidates, workers=1)
    spawned = sweep(ref, spec, candidates, workers=2)
    assert [t.metrics for t in inline.trials] == [t.metrics for t in spawned.trials]


def test_lower_is_better_metrics_and_undefined_rank_last() -> None:
    assert score({"volatility": 0.1}, "volatility") > score({"volatility": 0.2}, "volatility")
    assert score({"sharpe": None}, "sharpe") == -np.inf


def test_windows_roll_or_anchor_and_never_overlap_out_of_sample() -> None:
    timeline = np.arange(100, dtype=np.int64)
    rolling = split_windows(timeline, 4, 1.0, "rolling")
    assert [w[1] for w in rolling] == [(20, 40), (40, 60), (60, 80), (80, 100)]
    assert [w[0] for w in rolling] == [(0, 20), (20, 40), (40, 60), (60, 80)]
    anchored = split_windows(timeline, 4, 1.0, "anchored")
    assert [w[0] for w in anchored] == [(0, 20), (0, 40), (0, 60), (0, 80)]
    with pytest.raises(ValidationError, match="too few"):
        split_windows(np.arange(10, dtype=np.int64), 5, 3.0, "rolling")


def test_windows_too_short_to_mean_anything_are_refused() -> None:
    """Issue 9, defect 9: 1,000 two-bar windows used to run; now an out-of-sample window has
    at least MIN_OUT_OF_SAMPLE_BARS bars and the in-sample span outlasts the warm-up."""
    timeline = np.arange(2768, dtype=np.int64)
    with pytest.raises(ValidationError, match=r"would have 2 bars, at least 20 .* at most 135"):
        split_windows(timeline, 1000, 3.0, "rolling")
    assert len(split_windows(timeline, 100, 3.0, "rolling", warmup=50)) == 100
    with pytest.raises(ValidationError, match="need a warm-up of 200 bars"):
        split_windows(timeline, 100, 3.0, "rolling", warmup=200)
    with pytest.raises(ValidationError, match="in-sample ratio must be positive"):
        split_windows(timeline, 5, float("nan"), "rolling")


def test_walk_forward_stitches_out_of_sample_equity(stored: tuple[Database, DataRef]) -> None:
    database, ref = stored
    bars = read_bars(database, ref)
    candidates, _ = grid_candidates("ma_crossover", {"fast": [5, 10], "slow": [30, 50]})
    result = walk_forward(
        ref, bars, RunSpec("ma_crossover", config=CONFIG), candidates, windows=3, workers=1
    )
    assert len(result.windows) == 3
    first_oos = result.windows[0].out_of_sample[0]
    assert result.ts[0] == first_oos
    assert np.all(np.diff(result.ts) > 0)
    assert result.equity[0] == CONFIG.initial_cash
    last = result.windows[-1]
    tested = run_window(bars, RunSpec("ma_crossover", last.params, CONFIG), last.out_of_sample)
    growth = tested.outcome.equity[-1] / tested.outcome.equity[0]
    assert result.equity[-1] / result.equity[-len(tested.outcome.equity)] == pytest.approx(growth)


def test_walk_forward_windows_share_one_set_of_workers(stored: tuple[Database, DataRef]) -> None:
    database, ref = stored
    bars = read_bars(database, ref)
    candidates, _ = grid_candidates("ma_crossover", {"fast": [5, 10], "slow": [30, 50]})
    spec = RunSpec("ma_crossover", config=CONFIG)
    inline = walk_forward(ref, bars, spec, candidates, windows=3, workers=1)
    spawned = walk_forward(ref, bars, spec, candidates, windows=3, workers=2)
    assert [w.params for w in spawned.windows] == [w.params for w in inline.windows]
    np.testing.assert_array_equal(spawned.equity, inline.equity)
