"""Live bars for paper trading: :class:`PaperSource` polls a provider on exchange sessions.

Polls happen only inside sessions (:class:`~trademind.runtime.sessions.SessionCalendar`, NYSE
through exchange_calendars): for intraday bars at each bar close from the open (the last one at
the session close, which may be early), for daily bars once at the session close; each poll
``delay`` after the close, so the provider has the bar. A poll asks the provider for the bars
of the session closed by then and passes on those not seen before, grouped by timestamp in
time order (symbols in their given order). Bars outside a session (pre-market, after hours,
holidays) are never passed on, so nothing trades outside sessions. A provider that fails is
logged; the bars it missed come with the next poll (also when the failed poll was the last of
its session: the next poll asks for the sessions whose polls failed too, and their bars are
passed on late, in time order, as the backtest would have traded them). ``seen`` gives, per
symbol, the newest bar already handled elsewhere (a warm-up, a previous run): bars at or
before it are never passed on. Time is the live clock's; waiting goes
through a :class:`~trademind.runtime.sessions.Waiter` (APScheduler in production).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Final, Protocol

from trademind.core.clock import Clock
from trademind.core.errors import TradeMindError, ValidationError
from trademind.core.market import Bar
from trademind.runtime.bar_sources import BarBatch, bar_length, merge_in_time_order
from trademind.runtime.sessions import Session, SessionCalendar, Waiter

logger = logging.getLogger(__name__)

LOOKAHEAD_DAYS: Final = 14
"""Sessions are read this many calendar days ahead at a time."""
DAILY: Final = timedelta(days=1)


class LiveBarProvider(Protocol):
    """Recent bars of one symbol (yfinance in production; a fake in tests)."""

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        """Bars of ``symbol`` with ``start <= ts < end`` (daily bars: their session date)."""
        ...


class PaperSource:
    """Bars polled live on exchange sessions (module docstring)."""

    def __init__(
        self,
        provider: LiveBarProvider,
        *,
        symbols: Sequence[str],
        timeframe: str,
        clock: Clock,
        calendar: SessionCalendar,
        waiter: Waiter,
        delay: timedelta = timedelta(seconds=5),
        until: datetime | None = None,
        seen: Mapping[str, datetime] | None = None,
    ) -> None:
        if not symbols:
            raise ValidationError("no symbols to trade")
        self._provider = provider
        self._symbols = tuple(symbols)
        self._timeframe = timeframe
        self._length = bar_length(timeframe)
        self._clock = clock
        self._calendar = calendar
        self._waiter = waiter
        self._delay = delay
        self._until = until
        self._last: dict[str, datetime] = dict(seen or {})
        self._missed: dict[str, list[Session]] = {}
        self._stopped = False

    def stop(self) -> None:
        """End the batches after the current poll."""
        self._stopped = True

    @property
    def stopped(self) -> bool:
        return self._stopped

    def _stop_requested(self) -> bool:
        return self._stopped  # a method: set by stop() while a batch was being handled

    async def batches(self) -> AsyncIterator[BarBatch]:
        for session, close in self._poll_closes():
            poll_at = close + self._delay
            if self._until is not None and poll_at > self._until:
                return
            await self._waiter.wait_until(poll_at)
            if self.stopped:
                return
            for batch in await self._poll(session, close):
                yield batch
            if self._stop_requested():
                return

    def _poll_closes(self) -> Iterator[tuple[Session, datetime]]:
        """``(session, bar close)`` of every poll from now on, oldest first, without end."""
        first = self._clock.now().date()
        while True:
            last = first + timedelta(days=LOOKAHEAD_DAYS)
            for session in self._calendar.sessions(first, last):
                for close in self._closes(session):
                    if close + self._delay >= self._clock.now():
                        yield session, close
            first = last + timedelta(days=1)

    def _closes(self, session: Session) -> list[datetime]:
        if self._length >= DAILY:
            return [session.closes]
        closes: list[datetime] = []
        close = session.opens + self._length
        while close < session.closes:
            closes.append(close)
            close += self._length
        closes.append(session.closes)
        return closes

    async def _poll(self, session: Session, cutoff: datetime) -> list[BarBatch]:
        fresh: list[list[Bar]] = []
        polled: list[Session] = []
        for symbol in self._symbols:
            sessions = [*self._missed.get(symbol, ()), session]
            try:
                bars = await self._provider.closed_bars(
                    symbol, self._timeframe, self._first_moment(sessions[0]), cutoff
                )
            except TradeMindError as error:
                logger.warning("paper poll of %s at %s failed: %s", symbol, cutoff, error)
                if session not in self._missed.setdefault(symbol, []):
                    self._missed[symbol].append(session)
                continue
            self._missed.pop(symbol, None)
            polled.extend(one for one in sessions if one not in polled)
            fresh.append(self._new_in_sessions(symbol, bars, sessions, cutoff))
        return [
            BarBatch(closed_at=self._closed_at(ts, self._session_of(ts, polled)), bars=tuple(bars))
            for ts, bars in merge_in_time_order(fresh)
        ]

    def _first_moment(self, session: Session) -> datetime:
        if self._length >= DAILY:  # daily bars are stamped 00:00 UTC of their session date
            return datetime.combine(session.day, time(0), tzinfo=UTC)
        return session.opens

    def _session_of(self, ts: datetime, sessions: Sequence[Session]) -> Session:
        return next(one for one in sessions if self._in_session_at(ts, one))

    def _new_in_sessions(
        self, symbol: str, bars: Sequence[Bar], sessions: Sequence[Session], cutoff: datetime
    ) -> list[Bar]:
        seen = self._last.get(symbol)
        kept = []
        for bar in sorted(bars, key=lambda bar: bar.ts):
            if bar.symbol != symbol or (seen is not None and bar.ts <= seen):
                continue
            session = next((one for one in sessions if self._in_session(bar, one)), None)
            if session is not None and self._closed_at(bar.ts, session) <= cutoff:
                kept.append(bar)
        if kept:
            self._last[symbol] = kept[-1].ts
        return kept

    def _in_session(self, bar: Bar, session: Session) -> bool:
        return self._in_session_at(bar.ts, session)

    def _in_session_at(self, ts: datetime, session: Session) -> bool:
        if self._length >= DAILY:
            return ts.date() == session.day
        return session.opens <= ts < session.closes

    def _closed_at(self, ts: datetime, session: Session) -> datetime:
        if self._length >= DAILY:
            return session.closes
        return min(ts + self._length, session.closes)
