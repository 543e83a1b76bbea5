"""The jobs the web app starts: a backtest (as `trademind backtest run`) and a data ingest (as
`trademind data ingest`), checked before they are queued.

Everything a request can get wrong by itself (an unknown strategy, engine or parameter, a
parameter value out of range, a malformed cost text, a bad symbol or interval, ``start`` after
``end``) is refused at once (400/422), nothing queued. What only the run can find (a symbol
without data, too little history for the warm-up) makes the job ``failed`` with that one-line
error. The backtest services are imported when a job is submitted, so starting the server does
not import the engine.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from trademind.core import backtest_limits as limits
from trademind.core.errors import ValidationError
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.services.data_fetch import check_window_options
from trademind.web.jobs import JobRunner, JobView, Report

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.web.context import WebContext

SymbolText = Annotated[str, StringConstraints(min_length=1, max_length=20)]
ParamValue = str | int | float


class BacktestRequest(BaseModel):
    """One backtest, as `backtest run` takes it (``params`` overlay the configured ones)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "strategy": "buy_and_hold",
                    "symbols": ["AAPL"],
                    "start": "2020-01-02",
                    "end": "2020-03-31",
                }
            ]
        },
    )

    strategy: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    symbols: list[SymbolText] = Field(min_length=1, max_length=20)
    start: date | None = None
    end: date | None = Field(default=None, description="The last day, included.")
    days: int | None = Field(default=None, ge=1, le=limits.DAYS_MAX)
    interval: str | None = Field(default=None, max_length=10)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=50)
    cash: float | None = Field(
        default=None, gt=0, le=1e12, description="Starting cash; default backtest.initial_cash."
    )
    slippage: str | None = Field(default=None, max_length=50)
    commission: str | None = Field(default=None, max_length=50)
    engine: Literal["native", "backtrader"] = "native"
    name: str | None = Field(default=None, max_length=100)


class IngestRequest(BaseModel):
    """One ingest, as `data ingest` takes it; ``csv`` reads the configured ``data.csv_dir``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"source": "sample", "symbols": ["MSFT"], "days": 30}]},
    )

    source: Literal["yfinance", "sample", "csv"] = "yfinance"
    symbols: list[SymbolText] | None = Field(default=None, min_length=1, max_length=100)
    start: date | None = None
    end: date | None = None
    days: int | None = Field(default=None, ge=1, le=limits.DAYS_MAX)
    interval: str = Field(default="1d", max_length=10)


def _checked_window(start: date | None, end: date | None, days: int | None) -> None:
    check_window_options(start=start, end=end, days=days)


def _with_cash(settings: Settings, cash: float | None) -> Settings:
    if cash is None:
        return settings
    backtest = settings.backtest.model_copy(update={"initial_cash": cash})
    return settings.model_copy(update={"backtest": backtest})


def submit_backtest(context: WebContext, runner: JobRunner, body: BacktestRequest) -> JobView:
    """Check ``body`` as `backtest run` does, then queue the run (module docstring)."""
    from trademind.services import backtest_service
    from trademind.services.backtest_data import DataRequest

    _checked_window(body.start, body.end, body.days)
    symbols = normalise_symbols(list(body.symbols))
    timeframe = check_timeframe(body.interval) if body.interval is not None else None
    settings = _with_cash(context.settings(), body.cash)
    request = backtest_service.RunRequest(
        strategy=body.strategy,
        data=DataRequest(symbols, body.start, body.end, body.days, timeframe),
        params={name: str(value) for name, value in body.params.items()},
        slippage=body.slippage,
        commission=body.commission,
        engine=body.engine,
        name=body.name,
    )
    backtest_service.check_engine(request.engine)
    backtest_service.run_spec(settings, request)  # unknown strategy, bad parameter or cost text

    def work(report: Report) -> dict[str, Any]:
        def progress(done: int, total: int, what: str) -> None:
            report(done / total if total else 0.0, what)

        run = backtest_service.run(
            context.database, settings, request, progress=progress, clock=context.clock
        )
        return {
            "run_id": run.run_id,
            "url": f"/api/v1/backtests/{run.run_id}",
            "report_url": f"/backtests/{run.run_id}/report",
        }

    title = f"{body.strategy} on {', '.join(symbols)}"
    return runner.submit("backtest", title, work)


def submit_ingest(context: WebContext, runner: JobRunner, body: IngestRequest) -> JobView:
    """Check ``body`` as `data ingest` does, then queue the ingest."""
    from trademind.services import data_service

    _checked_window(body.start, body.end, body.days)
    symbols = normalise_symbols(list(body.symbols)) if body.symbols else None
    timeframe = check_timeframe(body.interval)
    settings = context.settings()
    factory = context.provider_factory

    def work(report: Report) -> dict[str, Any]:
        def progress(done: int, total: int, symbol: str | None) -> None:
            report(done / total if total else 1.0, f"ingesting {symbol}" if symbol else "stored")

        result = data_service.ingest(
            context.database,
            settings,
            symbols=symbols,
            source=body.source,
            start=body.start,
            end=body.end,
            days=body.days,
            interval=timeframe,
            provider=None if factory is None else factory(body.source, None, settings),
            progress=progress,
            clock=context.clock,
        )
        failed = [f"{item.symbol}: {item.error}" for item in result.failed]
        if failed and len(failed) == len(result.results):
            raise ValidationError(f"nothing ingested: {failed[0]}")
        return {"totals": result.totals, "failed": failed, "url": "/api/v1/data/status"}

    names = ", ".join(symbols) if symbols else "every symbol"
    return runner.submit("ingest", f"ingest {names} from {body.source}", work)
