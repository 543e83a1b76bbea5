"""``/api/v1/portfolio``: the account's summary, holdings, performance and sectors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from trademind.services import portfolio_service
from trademind.services.benchmark_service import BenchmarkCurve, benchmark_curve
from trademind.services.portfolio_service import (
    Holdings,
    Performance,
    PortfolioSummary,
    Sectors,
)
from trademind.web.deps import ClockDep, DatabaseDep

router = APIRouter(prefix="/portfolio", tags=["portfolio"])

Account = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Account name (default: the only or last used one).",
        examples=["demo"],
    ),
]


@router.get("", response_model=PortfolioSummary)
def summary(database: DatabaseDep, clock: ClockDep, account: Account = None) -> PortfolioSummary:
    """Cash, equity and P&L (``trademind portfolio summary``)."""
    return portfolio_service.summary(database, clock, account)


@router.get("/holdings", response_model=Holdings)
def holdings(database: DatabaseDep, clock: ClockDep, account: Account = None) -> Holdings:
    """Every position valued at its last price (``trademind portfolio holdings``)."""
    return portfolio_service.holdings(database, clock, account)


@router.get("/performance", response_model=Performance)
def performance(
    database: DatabaseDep,
    clock: ClockDep,
    account: Account = None,
    days: Annotated[int, Query(ge=1, le=36_500)] = 30,
) -> Performance:
    """The equity curve and figures of the last ``days`` (``trademind portfolio performance``)."""
    return portfolio_service.performance(database, clock, account, days)


@router.get("/benchmark", response_model=BenchmarkCurve)
def benchmark(
    database: DatabaseDep,
    clock: ClockDep,
    symbol: Annotated[
        str, Query(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9.^=-]+$", examples=["AAPL"])
    ],
    account: Account = None,
) -> BenchmarkCurve:
    """``symbol``'s daily closes over the account's snapshots, scaled to its first equity."""
    return benchmark_curve(database, clock, account, symbol)


@router.get("/sectors", response_model=Sectors)
def sectors(database: DatabaseDep, clock: ClockDep, account: Account = None) -> Sectors:
    """Net market value and weight per sector, largest exposure first; sectors come from the
    shipped table or earlier look-ups (``unknown`` otherwise: the server never looks them up)
    (``trademind portfolio sectors``)."""
    return portfolio_service.sectors(database, clock, account, None)
