"""``/api/v1/data``: the stored series and their quality."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from trademind.data.quality import QualityIssue
from trademind.data.schema import TIMEFRAMES
from trademind.services import data_service, data_status
from trademind.services.data_report import SymbolStatus
from trademind.web.api.models import NOT_FOUND
from trademind.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/data", tags=["data"])

Interval = Annotated[
    str | None,
    Query(pattern=f"^({'|'.join(TIMEFRAMES)})$", description="Only this bar interval."),
]


@router.get("/status", response_model=list[SymbolStatus])
def status(database: DatabaseDep, settings: SettingsDep) -> list[SymbolStatus]:
    """Every stored series: range, rows, last update, open quality issues."""
    return data_status.status(database, settings)


@router.get("/verify", response_model=list[QualityIssue], responses=NOT_FOUND)
def verify(
    database: DatabaseDep,
    settings: SettingsDep,
    symbol: Annotated[
        list[str] | None,
        Query(
            max_length=50,
            description="Only these symbols (repeat the parameter); default: every stored one.",
            examples=[["AAPL"]],
        ),
    ] = None,
    interval: Interval = None,
) -> list[QualityIssue]:
    """Quality problems of the stored bars and the open quarantined rows (``trademind data
    verify``); an empty list: no problems. 404 when nothing asked for is stored."""
    return data_service.verify(database, settings, symbol, interval)
