"""The job runner: jobs run off the caller's thread, in order; progress, results and one-line
errors are kept and published; the queue is bounded; old finished jobs are forgotten."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.errors import ValidationError
from trademind.web import jobs
from trademind.web.jobs import JobProgress, JobQueueFullError, JobRunner, Report, one_line

START = datetime(2024, 1, 5, 12, tzinfo=UTC)


def wait_until_finished(runner: JobRunner, job_id: str) -> dict[str, Any]:
    for _ in range(2000):
        job = runner.get(job_id)
        assert job is not None
        if job.finished:
            return {"status": job.status, "result": job.result, "error": job.error}
        threading.Event().wait(0.005)
    raise AssertionError("the job did not finish")


def test_a_job_reports_progress_and_its_result_and_a_failure_is_one_line() -> None:
    clock = TestClock(START)
    runner = JobRunner(clock=clock)
    callers: list[str] = []

    def work(report: Report) -> dict[str, Any]:
        callers.append(threading.current_thread().name)
        report(0.5, "half way")
        return {"answer": 42}

    def broken(report: Report) -> dict[str, Any]:
        raise ValueError("bad value\nsecond line")

    def refused(report: Report) -> dict[str, Any]:
        raise ValidationError("no bars stored for ZZZZ")

    gate = threading.Event()
    runner.submit("backtest", "holds the worker", lambda report: {"opened": gate.wait(10)})
    clock.advance(1)
    done = runner.submit("backtest", "works", work)
    clock.advance(1)
    failed = runner.submit("backtest", "breaks", broken)
    clock.advance(1)
    domain = runner.submit("ingest", "refused", refused)
    gate.set()
    assert done.status == "queued"
    assert wait_until_finished(runner, done.id) == {
        "status": "done", "result": {"answer": 42}, "error": None}  # fmt: skip
    assert wait_until_finished(runner, failed.id)["error"] == "ValueError: bad value"
    assert wait_until_finished(runner, domain.id)["error"] == "no bars stored for ZZZZ"
    assert callers == ["trademind-job-0"]
    assert [job.title for job in runner.jobs()] == [
        "refused",
        "breaks",
        "works",
        "holds the worker",
    ]
    runner.close()


def test_the_queue_is_bounded_and_old_finished_jobs_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "KEEP_FINISHED", 2)
    runner = JobRunner(clock=TestClock(START), max_queued=2)
    gate = threading.Event()

    def blocked(report: Report) -> dict[str, Any]:
        gate.wait(10)
        return {}

    first = runner.submit("backtest", "running", blocked)
    for _ in range(200):  # the worker takes it: it is running, no longer waiting
        if (job := runner.get(first.id)) is not None and job.status == "running":
            break
        threading.Event().wait(0.005)
    waiting = [runner.submit("backtest", f"waits {n}", blocked) for n in range(2)]
    with pytest.raises(JobQueueFullError, match="at most 2"):
        runner.submit("backtest", "one too many", blocked)
    gate.set()
    for job in waiting:
        wait_until_finished(runner, job.id)
    assert runner.get(first.id) is None  # the oldest finished one is forgotten
    assert len(runner.jobs()) == 2
    runner.submit("backtest", "room again", blocked)
    runner.close()


async def test_every_change_is_published_on_the_bus_from_the_worker() -> None:
    clock = TestClock(START)
    bus = EventBus(clock=clock)
    seen: list[JobProgress] = []
    bus.subscribe(JobProgress, seen.append)
    runner = JobRunner(clock=clock, bus=bus, loop=asyncio.get_running_loop())

    def work(report: Report) -> dict[str, Any]:
        report(0.25, "a quarter")
        report(7.0, "clamped")
        return {"run_id": 3, "url": "/api/v1/backtests/3"}

    job = runner.submit("backtest", "published", work)
    for _ in range(400):
        if seen and seen[-1].status == "done":
            break
        await asyncio.sleep(0.01)
    await bus.drain()
    assert [(e.status, e.progress, e.step) for e in seen] == [
        ("queued", 0.0, "queued"),
        ("running", 0.0, "starting"),
        ("running", 0.25, "a quarter"),
        ("running", 1.0, "clamped"),
        ("done", 1.0, "done"),
    ]
    assert {e.job_id for e in seen} == {job.id}
    assert seen[-1].result_url == "/api/v1/backtests/3"
    assert runner.get(job.id).result == {"run_id": 3, "url": "/api/v1/backtests/3"}  # type: ignore[union-attr]
    runner.close()


def test_one_line_and_the_event_checks_its_progress() -> None:
    assert one_line(RuntimeError()) == "RuntimeError"
    assert one_line(ValidationError("first\nsecond")) == "first"
    with pytest.raises(ValueError, match=r"0\.\.1"):
        JobProgress(occurred_at=START, job_id="a", kind="backtest", status="running",
                    progress=1.5, step="x")  # fmt: skip
