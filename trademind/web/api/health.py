"""``GET /health``: is the server up, since when, what it runs (``trademind server status``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from trademind import __version__
from trademind.core.errors import TradeMindError
from trademind.safety.state_store import SafetyStateStore
from trademind.services.safety_service import resolve_account
from trademind.web.api import models
from trademind.web.context import LoopStatus, WebContext
from trademind.web.deps import ContextDep

router = APIRouter(
    tags=["health"],
    responses={status: models.ERROR_RESPONSES[status] for status in (401, 500)},
)


class ScheduledJob(BaseModel):
    id: str
    next_run_at: datetime | None


class TradingLoopHealth(BaseModel):
    account: str
    mode: str
    running: bool
    broker_connected: bool
    last_bar_at: datetime | None
    trading_state: str | None
    error: str | None


class Health(BaseModel):
    status: str
    version: str
    started_at: datetime
    uptime_seconds: float
    loop: TradingLoopHealth | None
    jobs: list[ScheduledJob]


@router.get("/health")
def health(context: ContextDep) -> Health:
    """Uptime, the trading loop (account, mode, broker connection, trading state, last bar)
    and the scheduled jobs."""
    now = context.clock.now()
    loop = context.loop_status()
    return Health(
        status="ok",
        version=__version__,
        started_at=context.started_at,
        uptime_seconds=max(0.0, (now - context.started_at).total_seconds()),
        loop=None if loop is None else _loop_health(context, loop),
        jobs=[ScheduledJob(id=name, next_run_at=when) for name, when in context.jobs()],
    )


def _loop_health(context: WebContext, loop: LoopStatus) -> TradingLoopHealth:
    """The session's health; ``trading_state`` None while its account is not opened yet (the
    session opens it after reading its bars)."""
    try:
        info = resolve_account(context.database, context.clock, loop.account)
    except TradeMindError:
        state = None
    else:
        state = SafetyStateStore(context.database, context.clock).current(info.id).state.value
    return TradingLoopHealth(
        account=loop.account,
        mode=loop.mode,
        running=loop.running,
        broker_connected=loop.broker_connected,
        last_bar_at=loop.last_bar_at,
        trading_state=state,
        error=loop.error,
    )
