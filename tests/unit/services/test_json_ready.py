"""Typed service results as JSON: field order and names kept, the shapes a result asks for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trademind.services.backtest_views import ExecutionView, RunView, TradeRow
from trademind.services.json_ready import json_fields, to_json
from trademind.services.robustness_views import Span, TrialRow, WindowRow

WHEN = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Inner:
    when: datetime
    where: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Outer:
    zeta: int
    alpha: tuple[Inner, ...]
    mapping: dict[str, tuple[int, ...]]
    missing: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Shaped:
    name: str

    def to_json(self) -> dict[str, Any]:
        return json_fields(self) | {"shaped": True}


def test_fields_in_declared_order_with_plain_values() -> None:
    value = Outer(zeta=1, alpha=(Inner(when=WHEN, where=Path("a/b")),), mapping={"k": (1, 2)})
    data = to_json(value)
    assert list(data) == ["zeta", "alpha", "mapping", "missing"]
    assert data == {
        "zeta": 1,
        "alpha": [{"when": "2024-01-02T14:30:00+00:00", "where": "a/b"}],
        "mapping": {"k": [1, 2]},
        "missing": None,
    }
    json.dumps(data)  # plain data only


def test_a_result_with_its_own_shape_is_asked_for_it_also_when_nested() -> None:
    assert to_json([Shaped(name="x")]) == [{"name": "x", "shaped": True}]


def _trade(**changes: Any) -> TradeRow:
    values: dict[str, Any] = {
        "symbol": "AAPL",
        "side": "long",
        "status": "closed",
        "quantity": 10.0,
        "entry_time": "2024-01-02T00:00:00+00:00",
        "entry_price": 100.0,
        "exit_time": "2024-01-09T00:00:00+00:00",
        "exit_price": 110.0,
        "commission": 2.0,
        "slippage": 0.5,
        "pnl": 98.0,
        "return_pct": 9.8,
        "bars_held": 5,
        "entry_reason": "in",
        "exit_reason": "out",
    }
    return TradeRow.from_stored(values | changes)


def test_a_stored_trade_comes_back_as_it_was_stored() -> None:
    stored = to_json(_trade())
    assert to_json(TradeRow.from_stored(stored)) == stored
    assert list(stored)[:4] == ["symbol", "side", "status", "quantity"]
    open_trade = _trade(status="open", exit_time=None, exit_price=None, exit_reason=None)
    assert open_trade.is_open
    assert to_json(open_trade)["exit_time"] is None


def _view(curve: tuple[tuple[str, float], ...] | None) -> RunView:
    execution = ExecutionView(
        sizing="fraction:25%",
        stop_loss="5%",
        take_profit=None,
        trailing_stop=None,
        order="market",
        time_in_force="day",
        fill_price="open",
    )
    return RunView(
        id=1,
        name=None,
        status="completed",
        strategy="ma_crossover",
        engine="native",
        symbols=("AAPL",),
        timeframe="1d",
        start=WHEN,
        end=WHEN,
        initial_cash=100_000.0,
        final_equity=101_000.0,
        params={"fast": 10},
        metrics={"sharpe": 1.5},
        trades=(_trade(),),
        notices=(),
        execution=execution,
        config={"engine": "native"},
        error=None,
        started_at=WHEN,
        finished_at=None,
        code_version="0",
        equity_curve=curve,
    )


def test_a_run_has_its_equity_curve_in_json_only_when_asked_for() -> None:
    assert "equity_curve" not in to_json(_view(None))
    with_curve = to_json(_view((("2024-01-02T00:00:00+00:00", 100_000.0),)))
    assert with_curve["equity_curve"] == [["2024-01-02T00:00:00+00:00", 100_000.0]]
    assert list(with_curve)[-2:] == ["code_version", "equity_curve"]
    assert _view(None).execution.facts()["exits"] == "stop-loss 5%"


def test_sweep_rows_name_keys_after_the_metric() -> None:
    trial = TrialRow(
        rank=1,
        params={"fast": 5},
        metric="sortino",
        score=2.0,
        key_metrics={"total_return": 0.1, "sharpe": 1.0, "sortino": 2.0},
    )
    assert list(to_json(trial)) == ["rank", "params", "sortino", "total_return", "sharpe"]
    span = Span(start=WHEN, end=WHEN)
    window = WindowRow(
        window=1,
        in_sample=span,
        out_of_sample=span,
        params={"fast": 5},
        metric="sharpe",
        in_sample_score=1.0,
        out_of_sample_score=0.5,
        out_of_sample_total_return=0.02,
    )
    data = to_json(window)
    assert data["in_sample_sharpe"] == 1.0
    assert data["out_of_sample_sharpe"] == 0.5
    assert data["in_sample"] == {"start": WHEN.isoformat(), "end": WHEN.isoformat()}
