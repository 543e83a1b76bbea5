"""Background jobs of the web app: backtests and data ingests started from the API or the
dashboard, run off the event loop (the trading loop shares it).

A :class:`JobRunner` keeps a queue served by :data:`WORKERS` worker thread(s) (daemon threads:
stopping the server does not wait for a running job; what the job stores is committed in one
transaction, so a stopped job leaves nothing half-written). A job is ``queued``, ``running``,
``done`` or ``failed``, with a progress fraction (0..1) and a text, its result (e.g. the stored
backtest run's id) or a one-line error, and the times it was created, started and finished
(from the app's clock). At most :data:`MAX_QUEUED` jobs wait: one more is refused
(:class:`JobQueueFullError`, 429 in the API). The newest :data:`KEEP_FINISHED` finished jobs
are kept.

Jobs live in memory only: a server restart forgets them (what they produced, such as stored
backtest runs and ingested bars, is in the database). Every change of a job is published on the
bus as a :class:`JobProgress` event (thread-safely), which the SSE stream carries.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from trademind.core.errors import TradeMindError
from trademind.core.events import Event

if TYPE_CHECKING:
    from trademind.core.bus import EventBus
    from trademind.core.clock import Clock

log = logging.getLogger(__name__)

WORKERS: Final = 1
"""Jobs run one at a time (a backtest is CPU-bound; a second one would only slow both)."""
MAX_QUEUED: Final = 8
KEEP_FINISHED: Final = 100
JOB_ID_PATTERN: Final = r"^[0-9a-f]{12}$"

JobKind = Literal["backtest", "ingest"]
JobStatus = Literal["queued", "running", "done", "failed"]
FINISHED: Final = ("done", "failed")

Report = Callable[[float, str], None]
"""What a job's work calls as it goes: ``report(fraction_done, text)``."""
Work = Callable[[Report], dict[str, Any]]
"""A job's work: runs in a worker thread, returns the result (JSON-ready)."""


class JobQueueFullError(TradeMindError):
    """:data:`MAX_QUEUED` jobs are already waiting."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobView:
    """One job as the API and the dashboard show it."""

    id: str
    kind: JobKind
    title: str
    status: JobStatus
    progress: float
    step: str
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True, slots=True, kw_only=True)
class JobProgress(Event):
    """A background job changed: queued, progressed, done or failed (SSE event type
    ``JobProgress``). ``result_url``: the API address of what a finished job produced (its
    result's ``url``); the whole result is at ``/api/v1/jobs/{job_id}``."""

    job_id: str
    kind: str
    status: str
    progress: float
    step: str
    result_url: str | None = None
    error: str | None = None

    def validate(self) -> None:
        if not 0.0 <= self.progress <= 1.0:
            raise ValueError(f"JobProgress.progress must be within 0..1, got {self.progress}")


def one_line(exc: BaseException) -> str:
    """The error as one line: a TradeMind error's message, else its type and message."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if isinstance(exc, TradeMindError):
        return first or type(exc).__name__
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


@dataclass
class JobRunner:
    """The queue, its workers and every job's state (module docstring)."""

    clock: Clock
    bus: EventBus | None = None
    loop: asyncio.AbstractEventLoop | None = None
    max_queued: int = MAX_QUEUED
    _jobs: dict[str, JobView] = field(default_factory=dict)
    _work: dict[str, Work] = field(default_factory=dict)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def submit(self, kind: JobKind, title: str, work: Work) -> JobView:
        """Queue ``work``; a full queue raises :class:`JobQueueFullError`."""
        with self._lock:
            waiting = sum(1 for job in self._jobs.values() if job.status == "queued")
            if waiting >= self.max_queued:
                raise JobQueueFullError(
                    f"{waiting} jobs are already waiting (at most {self.max_queued}); "
                    "try again when one has finished"
                )
            job = JobView(
                id=uuid.uuid4().hex[:12],
                kind=kind,
                title=title,
                status="queued",
                progress=0.0,
                step="queued",
                result=None,
                error=None,
                created_at=self.clock.now(),
                started_at=None,
                finished_at=None,
            )
            self._jobs[job.id] = job
            self._work[job.id] = work
            self._start_workers()
        self._queue.put(job.id)
        self._publish(job)
        return job

    def get(self, job_id: str) -> JobView | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[JobView]:
        """Every job kept, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda job: job.created_at, reverse=True)

    def close(self) -> None:
        """Stop the workers once the jobs queued before have run (a test's clean-up)."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=60)
        self._threads.clear()

    # -- the workers ---------------------------------------------------------------------------

    def _start_workers(self) -> None:
        while len(self._threads) < WORKERS:
            thread = threading.Thread(
                target=self._serve, name=f"trademind-job-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _serve(self) -> None:
        while (job_id := self._queue.get()) is not None:
            work = self._work.pop(job_id)
            self._update(job_id, status="running", step="starting", started_at=self.clock.now())
            try:
                result = work(lambda fraction, text: self._progress(job_id, fraction, text))
            except Exception as exc:
                if not isinstance(exc, TradeMindError):
                    log.error("job %s failed", job_id, exc_info=exc)
                self._update(
                    job_id, status="failed", error=one_line(exc), finished_at=self.clock.now()
                )
            else:
                self._update(
                    job_id,
                    status="done",
                    progress=1.0,
                    step="done",
                    result=result,
                    finished_at=self.clock.now(),
                )

    def _progress(self, job_id: str, fraction: float, text: str) -> None:
        self._update(job_id, progress=min(max(fraction, 0.0), 1.0), step=text[:200])

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id] = replace(self._jobs[job_id], **changes)
            if job.finished:
                self._forget_old()
        self._publish(job)

    def _forget_old(self) -> None:
        finished = [job for job in self._jobs.values() if job.finished]
        finished.sort(key=lambda job: job.finished_at or job.created_at)
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]

    def _publish(self, job: JobView) -> None:
        if self.bus is None or self.loop is None or self.loop.is_closed():
            return
        event = JobProgress(
            occurred_at=self.clock.now(),
            job_id=job.id,
            kind=job.kind,
            status=job.status,
            progress=job.progress,
            step=job.step,
            result_url=None if job.result is None else job.result.get("url"),
            error=job.error,
        )
        try:
            self.bus.publish_threadsafe(event, self.loop)
        except RuntimeError:  # the loop stopped meanwhile (the server is stopping)
            log.debug("job %s: the event loop is closed, %s not published", job.id, job.status)
