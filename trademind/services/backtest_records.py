"""Backtest runs as stored records and as JSON-ready views.

A finished run becomes a :class:`~trademind.db.backtest_runs.RunRecord`: the configuration as
plain JSON (cost models also as the ``--slippage``/``--commission`` text that reproduces them),
the resolved parameters, the data range, every metric, the equity curve as
``[[ISO time, equity], ...]`` and every trade with its reasons. The CLI, ``results``, ``export``
and the report all read runs through :func:`run_view` (a typed
:class:`~trademind.services.backtest_views.RunView`), so what a fresh run prints and what a
stored run shows are the same fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from trademind import __version__
from trademind.db.backtest_runs import RunRecord
from trademind.services.backtest_options.costs import describe_commission, describe_slippage
from trademind.services.backtest_options.execution import describe_order, describe_sizing
from trademind.services.backtest_views import RunView, TradeRow, execution_view
from trademind.services.json_ready import to_json

if TYPE_CHECKING:
    import numpy.typing as npt

    from trademind.backtest.engine.config import BacktestConfig
    from trademind.backtest.engine.outcome import RoundTrip
    from trademind.backtest.research.runner import RunResult
    from trademind.services.backtest_data import PreparedData
    from trademind.strategies.base import IntArray

TRADE_COLUMNS: Final = (
    "symbol",
    "side",
    "status",
    "quantity",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "commission",
    "slippage",
    "pnl",
    "return_pct",
    "bars_held",
    "entry_reason",
    "exit_reason",
)


def iso_times(ts_ns: IntArray) -> list[str]:
    """Epoch nanoseconds as ISO 8601 UTC texts (``2020-01-02T00:00:00+00:00``)."""
    values = np.asarray(ts_ns, dtype=np.int64)
    unit: Literal["s", "ns"] = "s" if not np.any(values % 1_000_000_000) else "ns"
    stamps: npt.NDArray[np.datetime64] = values.astype("datetime64[ns]")
    texts = np.datetime_as_string(stamps, unit=unit, timezone="UTC")
    return [text.replace("Z", "+00:00") for text in texts.tolist()]


def moment(ts_ns: int) -> datetime:
    """Epoch nanoseconds as an aware UTC datetime (microsecond precision)."""
    seconds, nanos = divmod(int(ts_ns), 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=nanos // 1000)


def trade_row(trade: RoundTrip) -> TradeRow:
    """One round trip as a typed row (open trades: exit fields None, pnl unrealised)."""
    return TradeRow(
        symbol=trade.symbol,
        side=trade.side,
        status="open" if trade.is_open else "closed",
        quantity=trade.quantity,
        entry_time=trade.entry_time.astimezone(UTC),
        entry_price=trade.entry_price,
        exit_time=None if trade.exit_time is None else trade.exit_time.astimezone(UTC),
        exit_price=trade.exit_price,
        commission=trade.commission,
        slippage=trade.slippage,
        pnl=trade.pnl,
        return_pct=trade.return_pct,
        bars_held=trade.bars_held,
        entry_reason=trade.entry_reason,
        exit_reason=trade.exit_reason,
    )


def _model(value: object) -> dict[str, Any]:
    return {"model": type(value).__name__, **dataclasses.asdict(value)}  # type: ignore[call-overload]


def config_dict(config: BacktestConfig) -> dict[str, Any]:
    """Every field of ``config`` as plain JSON (models as ``{"model": name, ...fields}``), the
    starting cash first."""
    out: dict[str, Any] = {"initial_cash": config.initial_cash}
    for item in dataclasses.fields(config):
        value = getattr(config, item.name)
        out[item.name] = _model(value) if dataclasses.is_dataclass(value) else value
    out["commission"]["spec"] = describe_commission(config.commission)
    out["slippage"]["spec"] = describe_slippage(config.slippage)
    out["sizing"]["spec"] = describe_sizing(config.sizing)
    out["order_spec"] = describe_order(config.order_type, config.limit_offset, config.stop_offset)
    return out


def _outcome_dict(result: RunResult) -> dict[str, Any]:
    outcome = result.outcome
    return {
        "order_counts": dataclasses.asdict(outcome.counts),
        "total_commission": outcome.total_commission,
        "total_slippage": outcome.total_slippage,
        "realised_pnl": outcome.realised_pnl,
        "unrealised_pnl": outcome.unrealised_pnl,
        "benchmark_final_equity": float(result.benchmark[-1]),
        "bars": int(outcome.ts.shape[0]),
    }


def run_config(
    config: BacktestConfig,
    data: PreparedData,
    *,
    engine: str,
    risk_free_rate: float,
    notices: Sequence[str],
) -> dict[str, Any]:
    """What is stored in ``backtest_runs.config``: the engine config, engine, data, notices."""
    return {
        "engine": engine,
        "backtest": config_dict(config),
        "risk_free_rate": risk_free_rate,
        "data": data.ref.describe(),
        "notices": list(notices),
    }


def _period(data: PreparedData) -> tuple[datetime, datetime]:
    first = min(int(series.ts[0]) for series in data.bars)
    last = max(int(series.ts[-1]) for series in data.bars)
    return moment(first), moment(last)


def completed_record(
    result: RunResult,
    data: PreparedData,
    *,
    engine: str,
    notices: Sequence[str],
    name: str | None,
    started_at: datetime,
    finished_at: datetime,
) -> RunRecord:
    """The record of a finished run."""
    outcome = result.outcome
    config = run_config(
        outcome.config,
        data,
        engine=engine,
        risk_free_rate=result.spec.risk_free_rate,
        notices=notices,
    )
    config["outcome"] = _outcome_dict(result)
    start, end = _period(data)
    curve = zip(iso_times(outcome.ts), outcome.equity.tolist(), strict=True)
    return RunRecord(
        strategy=result.spec.strategy,
        symbols=outcome.symbols,
        timeframe=data.ref.timeframe,
        period_start=start,
        period_end=end,
        initial_capital=outcome.initial_cash,
        final_equity=outcome.final_equity,
        config=config,
        params=dict(result.spec.params),
        metrics=dict(result.metrics),
        equity_curve=[[when, value] for when, value in curve],
        trades=[to_json(trade_row(trade)) for trade in outcome.trades()],
        name=name,
        code_version=__version__,
        started_at=started_at,
        finished_at=finished_at,
    )


def failed_record(
    strategy: str,
    params: Mapping[str, Any],
    config: dict[str, Any],
    data: PreparedData,
    *,
    error: BaseException,
    name: str | None,
    started_at: datetime,
    finished_at: datetime,
) -> RunRecord:
    """The record of a run whose engine raised: what was asked and the error."""
    start, end = _period(data)
    return RunRecord(
        strategy=strategy,
        symbols=data.ref.symbols,
        timeframe=data.ref.timeframe,
        period_start=start,
        period_end=end,
        initial_capital=float(config["backtest"]["initial_cash"]),
        final_equity=None,
        config=config,
        params=dict(params),
        metrics={},
        equity_curve=[],
        trades=[],
        status="failed",
        error=f"{type(error).__name__}: {error}",
        name=name,
        code_version=__version__,
        started_at=started_at,
        finished_at=finished_at,
    )


def run_view(record: RunRecord, *, curve: bool = False) -> RunView:
    """A stored run as a typed view (with the equity curve when ``curve``)."""
    config = dict(record.config)
    return RunView(
        id=record.id,
        name=record.name,
        status=record.status,
        strategy=record.strategy,
        engine=config.get("engine"),
        symbols=tuple(record.symbols),
        timeframe=record.timeframe,
        start=record.period_start.astimezone(UTC),
        end=record.period_end.astimezone(UTC),
        initial_cash=record.initial_capital,
        final_equity=_final_equity(record),
        params=dict(record.params),
        metrics=dict(record.metrics),
        trades=tuple(TradeRow.from_stored(trade) for trade in record.trades),
        notices=tuple(config.get("notices", [])),
        execution=execution_view(config.get("backtest", {})),
        config=config,
        error=record.error,
        started_at=_utc(record.started_at),
        finished_at=_utc(record.finished_at),
        code_version=record.code_version,
        equity_curve=_curve(record) if curve else None,
    )


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _curve(record: RunRecord) -> tuple[tuple[str, float], ...]:
    return tuple((str(when), equity) for when, equity in record.equity_curve)


def _final_equity(record: RunRecord) -> float | None:
    """The exact float of the curve's last point (the money column keeps 8 decimals)."""
    if record.equity_curve:
        return float(record.equity_curve[-1][1])
    return record.final_equity
