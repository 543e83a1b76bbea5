"""The parts a paper session runs with besides the replay's: where live bars come from, the
exchange's sessions, how it waits for the next poll, and how it is stopped.

:class:`PaperParts` is what a caller may inject (tests: FakeYahoo through the live provider, a
fake waiter that moves a test clock); the defaults are production's: yfinance, NYSE sessions
(exchange_calendars) and an APScheduler waiter. :class:`StoppableWaiter` ends a wait as soon
as the session is asked to stop, so Ctrl-C does not wait for the next bar close;
:func:`stop_on_signals` turns SIGINT and SIGTERM into that request (the current step is
finished first: the handler only sets flags).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from trademind.runtime.paper_source import LiveBarProvider
    from trademind.runtime.sessions import SessionCalendar, Waiter

logger = logging.getLogger(__name__)

POLL_DELAY: Final = timedelta(seconds=30)
"""How long after a bar's close it is polled (Yahoo needs a moment to have the bar)."""
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True, kw_only=True)
class PaperParts:
    """What a paper session may be given (module docstring); None: production's part.
    ``on_stopper`` receives the function that stops the session (as Ctrl-C does)."""

    provider: LiveBarProvider | None = None
    calendar: SessionCalendar | None = None
    waiter: Waiter | None = None
    delay: timedelta = POLL_DELAY
    handle_signals: bool = True
    on_stopper: Callable[[Callable[[], None]], None] | None = None


class StoppableWaiter:
    """A :class:`~trademind.runtime.sessions.Waiter` whose waits end early once :meth:`stop`
    is called (and return at once from then on)."""

    def __init__(self, inner: Waiter) -> None:
        self._inner = inner
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def wait_until(self, when: datetime) -> None:
        if self._stop.is_set():
            return
        waiting = asyncio.ensure_future(self._inner.wait_until(when))
        stopping = asyncio.ensure_future(self._stop.wait())
        done, pending = await asyncio.wait({waiting, stopping}, return_when="FIRST_COMPLETED")
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if waiting in done:
            waiting.result()  # a failed wait is not swallowed


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None], *, enabled: bool) -> Iterator[None]:
    """Call ``stop`` on SIGINT or SIGTERM while inside (when the running loop can take signal
    handlers: the main thread on POSIX); the previous handling comes back on exit."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def stopping(name: str) -> None:
        logger.warning("%s: the paper session stops after the current step", name)
        stop()

    if enabled:
        for number in STOP_SIGNALS:
            try:
                loop.add_signal_handler(number, stopping, number.name)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or no such support: Ctrl-C raises instead
            installed.append(number)
    try:
        yield
    finally:
        for number in installed:
            loop.remove_signal_handler(number)


@contextlib.asynccontextmanager
async def scheduler_waiter() -> AsyncIterator[Waiter]:
    """Production's waiter: an APScheduler ``AsyncIOScheduler`` started for the session."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from trademind.runtime.sessions import SchedulerWaiter

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    try:
        yield SchedulerWaiter(scheduler)
    finally:
        scheduler.shutdown(wait=False)
