"""Scheduled jobs (APScheduler 3): the post-close refresh of daily bars and indicators.

The job fires on weekdays at ``scheduler.post_close_time`` in ``scheduler.timezone`` (16:30
America/New_York by default) and works only on NYSE sessions: on a holiday it logs at INFO and
does nothing. The work itself (an incremental yfinance ingest, then the indicators) is a
:class:`DataRefresher` handed in by the caller (``trademind.services.data_service.
ScheduledRefresh`` in the server), so this module needs no service and tests need no network.
One symbol's failure is logged and the others are still refreshed; nothing the job raises
reaches the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

import pandas as pd

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.data.calendar import exchange_calendar
from trademind.data.schema import normalise_symbols

logger = logging.getLogger(__name__)

POST_CLOSE_JOB_ID: Final = "data.post_close_refresh"

IsSession = Callable[[date], bool]


class DataRefresher(Protocol):
    """The post-close work. Each call returns ``{symbol: error or None}`` for every symbol."""

    def refresh_bars(self, symbols: list[str]) -> Mapping[str, str | None]: ...

    def refresh_indicators(self, symbols: list[str]) -> Mapping[str, str | None]: ...


class RuntimeView(Protocol):
    """What the scheduler needs of the runtime (``trademind.bootstrap.Runtime``)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class RefreshOutcome:
    """What one run of the post-close job did."""

    session: date
    ran: bool
    refreshed: tuple[str, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)


def nyse_is_session(day: date) -> bool:
    """True when ``day`` is an NYSE trading session (exchange_calendars XNYS)."""
    try:
        return bool(exchange_calendar().is_session(pd.Timestamp(day)))
    except Exception as exc:  # outside the calendar's range: fall back to weekdays
        logger.warning("NYSE calendar cannot tell whether %s is a session (%s)", day, exc)
        return day.weekday() < 5


def session_date(clock: Clock, timezone: str) -> date:
    """Today's date in the scheduler's time zone."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()


def _errors(results: Mapping[str, str | None]) -> dict[str, str]:
    return {symbol: error for symbol, error in results.items() if error}


def _run_step(
    name: str, step: Callable[[list[str]], Mapping[str, str | None]], symbols: list[str]
) -> dict[str, str]:
    """Run one step; a step that raises fails every symbol (and is logged), never the job."""
    try:
        failed = _errors(step(symbols))
    except Exception as exc:
        logger.exception("post-close refresh: %s failed", name)
        return dict.fromkeys(symbols, f"{name} failed: {type(exc).__name__}: {exc}")
    for symbol, error in failed.items():
        logger.error("post-close refresh: %s of %s failed: %s", name, symbol, error)
    return failed


def post_close_refresh(
    refresher: DataRefresher, *, symbols: list[str], today: date, is_session: IsSession
) -> RefreshOutcome:
    """Refresh bars then indicators of ``symbols`` if ``today`` is a session; log failures."""
    if not is_session(today):
        logger.info("post-close refresh skipped: %s is not an NYSE session", today)
        return RefreshOutcome(session=today, ran=False)
    logger.info("post-close refresh of %d symbols for %s", len(symbols), today)
    failed = _run_step("bar ingest", refresher.refresh_bars, symbols)
    fresh = [symbol for symbol in symbols if symbol not in failed]
    if fresh:
        failed |= _run_step("indicator update", refresher.refresh_indicators, fresh)
    refreshed = tuple(symbol for symbol in symbols if symbol not in failed)
    logger.info(
        "post-close refresh for %s: %d refreshed, %d failed", today, len(refreshed), len(failed)
    )
    return RefreshOutcome(session=today, ran=True, refreshed=refreshed, failed=failed)


def register_data_jobs(
    scheduler: Any,
    *,
    settings: Callable[[], Settings],
    refresher: DataRefresher,
    clock: Clock,
    is_session: IsSession = nyse_is_session,
) -> Any:
    """Add the post-close refresh to ``scheduler`` (an APScheduler 3 scheduler); returns the job.

    Time, time zone and misfire grace come from ``settings().scheduler`` now; the followed
    symbols (``data.watchlist``) are read again on every run, so hot-reloaded changes apply.
    """
    from apscheduler.triggers.cron import CronTrigger

    current = settings().scheduler
    trigger = CronTrigger(
        day_of_week="mon-fri",
        hour=current.post_close_time.hour,
        minute=current.post_close_time.minute,
        timezone=ZoneInfo(current.timezone),
    )

    def run() -> RefreshOutcome:
        now = settings()
        return post_close_refresh(
            refresher,
            symbols=normalise_symbols(list(now.data.watchlist)),
            today=session_date(clock, now.scheduler.timezone),
            is_session=is_session,
        )

    return scheduler.add_job(
        run,
        trigger,
        id=POST_CLOSE_JOB_ID,
        name="refresh daily bars and indicators after the NYSE close",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=current.misfire_grace_seconds,
    )


def build_scheduler(
    runtime: RuntimeView, refresher: DataRefresher, *, is_session: IsSession = nyse_is_session
) -> Any:
    """An AsyncIOScheduler (not started) with the data jobs when ``scheduler.enabled``."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone=ZoneInfo(runtime.settings.scheduler.timezone))
    if not runtime.settings.scheduler.enabled:
        logger.info("scheduler.enabled is false: no scheduled jobs")
        return scheduler
    register_data_jobs(
        scheduler,
        settings=lambda: runtime.settings,
        refresher=refresher,
        clock=runtime.clock,
        is_session=is_session,
    )
    return scheduler
