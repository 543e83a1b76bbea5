"""``/api/v1/safety``: the trading state and limits; the emergency stop and the reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from trademind.services import safety_limits, safety_service
from trademind.services.json_ready import to_json
from trademind.services.safety_limits import SafetyLimits
from trademind.services.safety_service import SafetyStatus, StateChangeResult
from trademind.web.api import models
from trademind.web.deps import ClockDep, ContextDep, DatabaseDep, SettingsDep

router = APIRouter(prefix="/safety", tags=["safety"])

Account = Annotated[
    str | None, Query(max_length=64, description="Account name.", examples=["demo"])
]


class StopRequest(BaseModel):
    """Why the account is stopped, and whether to sell every position now."""

    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=500, examples=["halting before the FOMC release"])
    liquidate: bool = False


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=500, examples=["checked the positions"])


class SettingsRequest(BaseModel):
    """Safety settings by `safety set` option name without dashes (``daily_loss_limit``:
    ``"3%"``), as text; checked one by one and as a whole before anything is written."""

    model_config = ConfigDict(extra="forbid")

    settings: dict[str, str] = Field(
        min_length=1, max_length=100, examples=[{"daily_loss_limit": "3%"}]
    )


@router.put("/settings", response_model=models.SafetyChange)
def set_settings(body: SettingsRequest, context: ContextDep, clock: ClockDep) -> Any:
    """Change safety settings in the server's configuration file (``trademind safety set``)."""
    try:
        change = safety_limits.set_safety(body.settings, context.config_path, clock=clock)
    finally:
        context.config_written()
    return to_json(change)


@router.get("/limits", response_model=SafetyLimits)
def limits(settings: SettingsDep) -> SafetyLimits:
    """Every pre-trade rule with its settings, whether it runs and why not
    (``trademind safety limits``)."""
    return safety_limits.limits(settings.safety)


@router.get("/status", response_model=SafetyStatus)
def status(
    database: DatabaseDep, clock: ClockDep, settings: SettingsDep, account: Account = None
) -> SafetyStatus:
    """The trading state, the limits in force and the latest changes."""
    return safety_service.status(database, clock, account, settings.safety)


@router.post("/emergency-stop", response_model=StateChangeResult, responses=models.CONFLICT)
def emergency_stop(body: StopRequest, database: DatabaseDep, clock: ClockDep) -> StateChangeResult:
    """Halt the account now (the running loop stops within a second); recorded with actor
    ``api``."""
    return safety_service.emergency_stop(
        database, clock, body.account, reason=body.reason, liquidate=body.liquidate, actor="api"
    )


@router.post("/reset", response_model=StateChangeResult, responses=models.CONFLICT)
def reset(body: ResetRequest, database: DatabaseDep, clock: ClockDep) -> StateChangeResult:
    """Back to ACTIVE (409 when the account is active already)."""
    return safety_service.reset(database, clock, body.account, reason=body.reason, actor="api")
