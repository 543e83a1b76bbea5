"""Backtests and ingests as background jobs through the API and the /backtests page (issue 13):
checked before they are queued (4xx, nothing queued), run off the event loop with their
progress published as JobProgress events, their results stored and served (list, results,
the sandboxed HTML report)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.web_app import LOCAL, make_context

from trademind.db.backtest_runs import BacktestRunRepository, RunRecord
from trademind.db.session import Database
from trademind.web.app import create_app
from trademind.web.jobs import JobProgress
from trademind.web.report_page import REPORT_POLICY
from trademind.web.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE

WRITE = {"Authorization": f"Bearer {LOCAL}"}
BACKTEST = {"strategy": "ma_crossover", "symbols": ["AAPL"], "start": "2020-01-01",
            "end": "2020-12-31"}  # fmt: skip


@pytest.fixture
async def jobs_app(
    database: Database,
) -> AsyncIterator[tuple[httpx.AsyncClient, list[JobProgress]]]:
    context = make_context(database)
    events: list[JobProgress] = []
    assert context.bus is not None
    context.bus.subscribe(JobProgress, events.append)
    app = create_app(context)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client, events
    runner = getattr(app.state, "jobs", None)
    if runner is not None:
        runner.close()


async def finished(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    for _ in range(1200):
        job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        if job["status"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


async def test_a_backtest_job_runs_stores_and_serves_its_report(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]],
) -> None:
    client, events = jobs_app
    launched = await client.post(
        "/api/v1/backtests", json=BACKTEST | {"cash": 50_000}, headers=WRITE
    )
    assert launched.status_code == 202, launched.text
    job = await finished(client, launched.json()["id"])
    assert job["status"] == "done", job
    assert job["progress"] == 1.0
    run_id = job["result"]["run_id"]
    assert job["result"]["report_url"] == f"/backtests/{run_id}/report"
    assert job["result"]["url"] == f"/api/v1/backtests/{run_id}"
    seen = [(e.status, e.progress) for e in events if e.job_id == job["id"]]
    assert seen[0] == ("queued", 0.0)
    assert ("running", 1 / 3) in seen
    assert seen[-1] == ("done", 1.0)
    assert events[-1].result_url == job["result"]["url"]

    listed = (await client.get("/api/v1/jobs")).json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    assert "restart" in listed["note"]
    runs = (await client.get("/api/v1/backtests")).json()
    assert [r["id"] for r in runs] == [run_id]
    run = (await client.get(f"/api/v1/backtests/{run_id}")).json()
    assert (run["strategy"], run["symbols"], run["initial_cash"]) == (
        "ma_crossover",
        ["AAPL"],
        50_000,
    )
    assert run["start"].startswith("2020-01-02")
    assert run["end"].startswith("2020-12-31")
    assert any("bundled sample" in notice for notice in run["notices"])

    report = await client.get(f"/api/v1/backtests/{run_id}/report")
    assert report.status_code == 200
    assert report.headers.get_list("content-security-policy") == [REPORT_POLICY]
    assert "ma_crossover" in report.text
    assert "Plotly" in report.text
    page_report = await client.get(f"/backtests/{run_id}/report")
    assert page_report.headers["content-security-policy"].startswith("sandbox allow-scripts;")
    other = await client.get("/api/v1/backtests")
    assert other.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"strategy": "no_such"}, 400, "no_such"),
        ({"start": "2021-01-01"}, 400, "after"),
        ({"params": {"fast": 60, "slow": 50}}, 400, "fast"),
        ({"params": {"nope": 1}}, 400, "nope"),
        ({"slippage": "lots"}, 400, "lots"),
        ({"symbols": ["AA PL"]}, 400, "AA PL"),
        ({"interval": "7x"}, 400, "7x"),
        ({"symbols": []}, 422, "symbols"),
        ({"cash": -1}, 422, "cash"),
        ({"engine": "fast"}, 422, "engine"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
async def test_a_bad_backtest_request_is_refused_before_it_is_queued(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]],
    change: dict[str, Any],
    status: int,
    named: str,
) -> None:
    client, _ = jobs_app
    refused = await client.post("/api/v1/backtests", json=BACKTEST | change, headers=WRITE)
    assert refused.status_code == status, refused.text
    assert named in str(refused.json()["detail"])
    assert (await client.get("/api/v1/jobs")).json()["jobs"] == []


async def test_what_only_the_run_finds_fails_the_job_with_one_line(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]],
) -> None:
    client, _ = jobs_app
    launched = await client.post(
        "/api/v1/backtests", json=BACKTEST | {"symbols": ["ZZZZ"]}, headers=WRITE
    )
    job = await finished(client, launched.json()["id"])
    assert job["status"] == "failed"
    assert "ZZZZ" in job["error"]
    assert "\n" not in job["error"]
    assert job["result"] is None


async def test_unknown_ids_are_4xx(jobs_app: tuple[httpx.AsyncClient, list[JobProgress]]) -> None:
    client, _ = jobs_app
    assert (await client.get("/api/v1/jobs/0123456789ab")).status_code == 404
    assert (await client.get("/api/v1/jobs/not-an-id")).status_code == 422
    assert (await client.get("/api/v1/backtests/999")).status_code == 404
    assert (await client.get("/api/v1/backtests/999/report")).status_code == 404
    assert (await client.get("/api/v1/backtests/0")).status_code == 422
    assert (await client.get("/backtests/999/report")).status_code == 404
    assert (await client.post("/api/v1/backtests", json=BACKTEST)).status_code == 403  # no CSRF


async def test_ingest_is_a_job_and_verify_reads_the_stored_bars(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]],
) -> None:
    client, _ = jobs_app
    nothing = await client.post("/api/v1/data/verify", json={}, headers=WRITE)
    assert nothing.status_code == 404
    body = {"source": "sample", "symbols": ["MSFT"], "start": "2020-01-01", "end": "2020-03-31"}
    launched = await client.post("/api/v1/data/ingest", json=body, headers=WRITE)
    assert launched.status_code == 202, launched.text
    job = await finished(client, launched.json()["id"])
    assert job["status"] == "done", job
    assert job["result"]["totals"]["inserted"] > 50
    assert job["result"]["failed"] == []
    status = (await client.get("/api/v1/data/status")).json()
    assert [row["symbol"] for row in status] == ["MSFT"]
    verified = await client.post("/api/v1/data/verify", json={"symbols": ["MSFT"]}, headers=WRITE)
    assert verified.status_code == 200
    assert isinstance(verified.json(), list)
    missing = await client.post("/api/v1/data/verify", json={"symbols": ["ZZZZ"]}, headers=WRITE)
    assert missing.status_code == 404
    online = await client.post("/api/v1/data/ingest", json={"symbols": ["AAPL"]}, headers=WRITE)
    offline = await finished(client, online.json()["id"])  # yfinance: the offline stand-in
    assert offline["status"] == "failed"
    assert offline["error"].startswith("nothing ingested: AAPL: network unreachable")
    bad = await client.post("/api/v1/data/ingest", json={"source": "ftp"}, headers=WRITE)
    assert bad.status_code == 422


async def test_the_page_launches_polls_and_lists_the_run(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]],
) -> None:
    client, _ = jobs_app
    page = await client.get("/backtests")
    assert '<option value="ma_crossover">' in page.text
    token = client.cookies[CSRF_COOKIE]
    htmx = {"HX-Request": "true"}
    form = {"csrf_token": token, "strategy": "ma_crossover", "symbols": "AAPL",
            "start": "2020-01-01", "end": "2020-12-31", "cash": ""}  # fmt: skip
    bad = await client.post("/backtests", data=form | {"end": "2019-01-01"}, headers=htmx)
    assert bad.headers["HX-Retarget"] == "#launch-error"
    assert "after" in bad.text
    launched = await client.post("/backtests", data=form, headers=htmx)
    assert 'hx-trigger="every 500ms"' in launched.text
    assert "<progress" in launched.text
    job_id = launched.text.split('data-job="')[1].split('"')[0]
    for _ in range(1200):
        partial = await client.get(f"/partials/jobs/{job_id}")
        if 'data-status="done"' in partial.text:
            break
        assert "HX-Trigger" not in partial.headers
        await asyncio.sleep(0.05)
    assert partial.headers["HX-Trigger"] == "backtest-finished"
    assert "every 500ms" not in partial.text  # the polling stops
    run_id = (await finished(client, job_id))["result"]["run_id"]
    runs = (await client.get("/partials/backtests")).text
    assert f'href="/backtests/{run_id}/report"' in runs
    plain = await client.post("/backtests", data=form)
    assert plain.status_code == 303


async def test_a_failed_run_is_listed_and_has_no_report(
    jobs_app: tuple[httpx.AsyncClient, list[JobProgress]], database: Database
) -> None:
    client, _ = jobs_app
    day = datetime(2020, 1, 2, tzinfo=UTC)
    failed = RunRecord(strategy="ma_crossover", symbols=("AAPL",), timeframe="1d",
                       period_start=day, period_end=day, initial_capital=1000.0,
                       final_equity=None, config={}, params={}, metrics={}, equity_curve=[],
                       trades=[], status="failed", error="RuntimeError: boom", name=None,
                       code_version="test", started_at=day, finished_at=day)  # fmt: skip
    with database.session() as session:
        run_id = BacktestRunRepository(session).add(failed)
    shown = (await client.get(f"/api/v1/backtests/{run_id}")).json()
    assert (shown["status"], shown["error"]) == ("failed", "RuntimeError: boom")
    report = await client.get(f"/api/v1/backtests/{run_id}/report")
    assert report.status_code == 400
    assert "no report" in report.json()["detail"]
    rows = (await client.get("/partials/backtests")).text
    assert f'data-run="{run_id}"' in rows
    assert f"/backtests/{run_id}/report" not in rows
