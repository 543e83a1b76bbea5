"""``/api/v1/data``: the stored series and their quality."""

from __future__ import annotations

from fastapi import APIRouter

from trademind.services import data_status
from trademind.services.data_report import SymbolStatus
from trademind.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/data", tags=["data"])


@router.get("/status", response_model=list[SymbolStatus])
def status(database: DatabaseDep, settings: SettingsDep) -> list[SymbolStatus]:
    """Every stored series: range, rows, last update, open quality issues."""
    return data_status.status(database, settings)
