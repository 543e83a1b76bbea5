"""``/api/v1/safety``: the trading state and limits; the emergency stop and the reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from trademind.services import safety_service
from trademind.services.safety_service import SafetyStatus, StateChangeResult
from trademind.web.deps import ClockDep, DatabaseDep, SettingsDep

router = APIRouter(prefix="/safety", tags=["safety"])

Account = Annotated[str | None, Query(max_length=64, description="Account name.")]


class StopRequest(BaseModel):
    """Why the account is stopped, and whether to sell every position now."""

    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    liquidate: bool = False


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


@router.get("/status", response_model=SafetyStatus)
def status(
    database: DatabaseDep, clock: ClockDep, settings: SettingsDep, account: Account = None
) -> SafetyStatus:
    """The trading state, the limits in force and the latest changes."""
    return safety_service.status(database, clock, account, settings.safety)


@router.post("/emergency-stop", response_model=StateChangeResult)
def emergency_stop(body: StopRequest, database: DatabaseDep, clock: ClockDep) -> StateChangeResult:
    """Halt the account now (the running loop stops within a second); recorded with actor
    ``api``."""
    return safety_service.emergency_stop(
        database, clock, body.account, reason=body.reason, liquidate=body.liquidate, actor="api"
    )


@router.post("/reset", response_model=StateChangeResult)
def reset(body: ResetRequest, database: DatabaseDep, clock: ClockDep) -> StateChangeResult:
    """Back to ACTIVE (409 when the account is active already)."""
    return safety_service.reset(database, clock, body.account, reason=body.reason, actor="api")
