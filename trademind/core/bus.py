"""The in-process, asyncio event bus.

Semantics (see docs/events.md):

* ``subscribe(EventType, handler)`` delivers every event that is an instance of ``EventType``,
  subclasses included. A handler runs at most once per event, however many matching
  subscriptions it has.
* ``await publish(event)`` runs the matching handlers **sequentially, in the order they were
  subscribed**. Sync handlers are called directly, async ones awaited. A handler that raises is
  logged (``logger.exception``, naming handler and event type) and the rest still run. Each
  handler's duration is logged at DEBUG. The returned :class:`PublishResult` says how many
  handlers completed and which failed.
* ``publish_nowait(event)`` schedules a publish from synchronous code running inside the loop;
  ``await drain()`` waits for every scheduled publish (including ones they schedule).
* The bus belongs to one asyncio loop and is **not thread-safe**. Other threads (scheduler jobs)
  use ``publish_threadsafe(event, loop)``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from trademind.core.clock import Clock, LiveClock
from trademind.core.events import Event

E = TypeVar("E", bound=Event)

Handler = Callable[[E], Awaitable[None] | None]
"""A handler takes the event it subscribed to; it may be a plain function or a coroutine."""


def handler_name(handler: Callable[..., Any]) -> str:
    """``module.qualname`` of a handler, for logs."""
    qualname = getattr(handler, "__qualname__", None)
    if qualname is None:
        return repr(handler)
    module = getattr(handler, "__module__", None)
    return f"{module}.{qualname}" if module else str(qualname)


@dataclass(frozen=True, slots=True)
class HandlerFailure:
    """One handler that raised while handling an event."""

    handler: str
    event_type: str
    error: Exception


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What happened to one published event."""

    event: Event
    delivered: int
    failures: tuple[HandlerFailure, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(slots=True, eq=False)
class _Entry:
    sequence: int
    event_type: type[Event]
    handler: Callable[[Any], Awaitable[None] | None]
    active: bool = field(default=True)


class Subscription:
    """The handle ``subscribe`` returns; ``unsubscribe()`` stops delivery (idempotent)."""

    __slots__ = ("_bus", "_entry")

    def __init__(self, bus: EventBus, entry: _Entry) -> None:
        self._bus = bus
        self._entry = entry

    @property
    def active(self) -> bool:
        return self._entry.active

    @property
    def event_type(self) -> type[Event]:
        return self._entry.event_type

    def unsubscribe(self) -> None:
        self._bus._remove(self._entry)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return (
            f"<Subscription {handler_name(self._entry.handler)} to "
            f"{self._entry.event_type.__name__} ({state})>"
        )


class EventBus:
    """Typed publish/subscribe over frozen events, inside one asyncio loop."""

    def __init__(self, clock: Clock | None = None, logger: logging.Logger | None = None) -> None:
        self._clock: Clock = clock or LiveClock()
        self._logger = logger or logging.getLogger(__name__)
        self._entries: dict[type[Event], list[_Entry]] = {}
        self._sequence = itertools.count()
        self._pending: set[asyncio.Task[PublishResult]] = set()
        self._matched: dict[type[Event], list[_Entry]] = {}
        """:meth:`_matching`'s answers, forgotten whenever a subscription changes."""

    # -- subscriptions -------------------------------------------------------------------------

    def subscribe(self, event_type: type[E], handler: Handler[E]) -> Subscription:
        """Deliver every ``event_type`` event (and subclass events) to ``handler``."""
        if not (isinstance(event_type, type) and issubclass(event_type, Event)):
            raise TypeError(f"can only subscribe to Event subclasses, got {event_type!r}")
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        entry = _Entry(next(self._sequence), event_type, handler)
        self._entries.setdefault(event_type, []).append(entry)
        self._matched.clear()
        return Subscription(self, entry)

    def _remove(self, entry: _Entry) -> None:
        if not entry.active:
            return
        entry.active = False
        self._matched.clear()
        entries = self._entries.get(entry.event_type, [])
        if entry in entries:
            entries.remove(entry)
        if not entries:
            self._entries.pop(entry.event_type, None)

    def subscriber_count(self, event_type: type[Event] | None = None) -> int:
        """Active subscriptions in total, or those that would receive an ``event_type`` event."""
        if event_type is None:
            return sum(len(entries) for entries in self._entries.values())
        return len(self._matching(event_type))

    def _matching(self, event_type: type[Event]) -> list[_Entry]:
        """Active entries whose type is in the event's MRO, in subscription order, each
        handler once (its earliest subscription). Computed once per type and kept until a
        subscription changes (a bus publishes the same few types at every bar)."""
        matched = self._matched.get(event_type)
        if matched is None:
            matched = self._matched[event_type] = self._match(event_type)
        return matched

    def _match(self, event_type: type[Event]) -> list[_Entry]:
        found = [entry for cls in event_type.__mro__ for entry in self._entries.get(cls, ())]
        found.sort(key=lambda entry: entry.sequence)
        unique: list[_Entry] = []
        seen: list[Callable[[Any], Awaitable[None] | None]] = []
        for entry in found:
            if entry.handler not in seen:
                seen.append(entry.handler)
                unique.append(entry)
        return unique

    # -- publishing ----------------------------------------------------------------------------

    async def publish(self, event: Event) -> PublishResult:
        """Run every matching handler in subscription order; never raises for handler errors."""
        if not isinstance(event, Event):
            raise TypeError(f"can only publish Event instances, got {type(event).__name__}")
        delivered = 0
        failures: list[HandlerFailure] = []
        for entry in self._matching(type(event)):
            if not entry.active:  # unsubscribed by an earlier handler of this event
                continue
            failure = await self._run(entry, event)
            if failure is None:
                delivered += 1
            else:
                failures.append(failure)
        return PublishResult(event=event, delivered=delivered, failures=tuple(failures))

    async def _run(self, entry: _Entry, event: Event) -> HandlerFailure | None:
        timed = self._logger.isEnabledFor(logging.DEBUG)
        started = self._clock.monotonic() if timed else 0.0
        try:
            outcome = entry.handler(event)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as exc:
            name = handler_name(entry.handler)
            self._logger.exception("handler %s failed for %s", name, event.event_type)
            return HandlerFailure(handler=name, event_type=event.event_type, error=exc)
        finally:
            if timed:
                elapsed_ms = (self._clock.monotonic() - started) * 1000.0
                self._logger.debug(
                    "handler %s took %.1f ms for %s",
                    handler_name(entry.handler),
                    elapsed_ms,
                    event.event_type,
                )
        return None

    def publish_nowait(self, event: Event) -> asyncio.Task[PublishResult]:
        """Schedule ``publish(event)`` from sync code running inside the loop.

        The task is kept until it finishes (so it is not garbage-collected); ``drain()`` awaits
        it. Raises RuntimeError when no loop is running in this thread.
        """
        if not isinstance(event, Event):
            raise TypeError(f"can only publish Event instances, got {type(event).__name__}")
        loop = asyncio.get_running_loop()
        task = loop.create_task(self.publish(event), name=f"publish {event.event_type}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    @property
    def pending(self) -> int:
        """Scheduled publishes that have not finished yet."""
        return len(self._pending)

    async def drain(self) -> list[PublishResult]:
        """Wait until every scheduled publish (and any they schedule) has finished.

        Returns the results of the publishes it waited for, in no particular order.
        """
        results: list[PublishResult] = []
        while self._pending:
            # asyncio.wait always yields to the loop and never cancels the tasks it waits for
            # (gather returns at once for finished tasks, and cancels them if drain is cancelled).
            done, _ = await asyncio.wait(list(self._pending))
            self._pending.difference_update(done)
            results.extend(
                task.result() for task in done if not task.cancelled() and task.exception() is None
            )
        return results

    def publish_threadsafe(
        self, event: Event, loop: asyncio.AbstractEventLoop
    ) -> concurrent.futures.Future[PublishResult]:
        """Publish from another thread onto the bus's ``loop``; returns a future of the result.

        Uses ``loop.call_soon_threadsafe``; the publish is then tracked like ``publish_nowait``
        (so ``drain()`` in the loop waits for it). Do not block the loop's own thread on the
        returned future.
        """
        outcome: concurrent.futures.Future[PublishResult] = concurrent.futures.Future()

        def schedule() -> None:
            try:
                task = self.publish_nowait(event)
            except Exception as exc:
                outcome.set_exception(exc)
                return
            task.add_done_callback(lambda done: _copy_outcome(done, outcome))

        loop.call_soon_threadsafe(schedule)
        return outcome


def _copy_outcome(
    task: asyncio.Task[PublishResult], outcome: concurrent.futures.Future[PublishResult]
) -> None:
    if task.cancelled():
        outcome.cancel()
        return
    error = task.exception()
    try:
        if error is not None:
            outcome.set_exception(error)
        else:
            outcome.set_result(task.result())
    except concurrent.futures.InvalidStateError:
        pass  # the caller cancelled its future; nothing is waiting for the result


__all__ = [
    "EventBus",
    "Handler",
    "HandlerFailure",
    "PublishResult",
    "Subscription",
    "handler_name",
]
