"""Exchange sessions as a port (:class:`SessionCalendar`) and the NYSE implementation, and the
waiting port of the paper source (:class:`Waiter`) with its APScheduler implementation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from trademind.data.calendar import NYSE, session_schedule


@dataclass(frozen=True, slots=True)
class Session:
    """One trading session: its date and its open and close (UTC)."""

    day: date
    opens: datetime
    closes: datetime


class SessionCalendar(Protocol):
    """The sessions of an exchange."""

    def sessions(self, first: date, last: date) -> Sequence[Session]:
        """Sessions whose dates are in ``[first, last]``, oldest first."""
        ...


class ExchangeSessions:
    """Sessions from exchange_calendars (NYSE by default; early closes included)."""

    def __init__(self, name: str = NYSE) -> None:
        self._name = name

    def sessions(self, first: date, last: date) -> Sequence[Session]:
        schedule = session_schedule(pd.Timestamp(first), pd.Timestamp(last), self._name)
        labels = pd.DatetimeIndex(schedule.index)
        opens = pd.DatetimeIndex(schedule["open"]).to_pydatetime()
        closes = pd.DatetimeIndex(schedule["close"]).to_pydatetime()
        return [
            Session(day=label.date(), opens=start, closes=end)
            for label, start, end in zip(labels, opens, closes, strict=True)
        ]


class Waiter(Protocol):
    """Returns once the time ``when`` has come (tests: move a fake clock there)."""

    async def wait_until(self, when: datetime) -> None: ...


class SchedulerWaiter:
    """Waits through an APScheduler 3 scheduler (a started ``AsyncIOScheduler``): one
    ``date`` job per wait, removed when the wait ends early (cancelled)."""

    def __init__(self, scheduler: Any) -> None:
        self._scheduler = scheduler

    async def wait_until(self, when: datetime) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not done.done():
                done.set_result(None)

        def fire() -> None:
            loop.call_soon_threadsafe(wake)

        job = self._scheduler.add_job(
            fire, "date", run_date=when, misfire_grace_time=None, name="paper bar poll"
        )
        try:
            await done
        finally:
            if done.cancelled() or not done.done():  # the wait ended before the job ran
                _remove(job)


def _remove(job: Any) -> None:
    from apscheduler.jobstores.base import JobLookupError

    with contextlib.suppress(JobLookupError):  # it ran meanwhile
        job.remove()
