"""The post-close refresh job: run directly with fakes and fixed dates (no sleeping, no network)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from trademind.config import Settings
from trademind.runtime.jobs import (
    POST_CLOSE_JOB_ID,
    build_scheduler,
    nyse_is_session,
    post_close_refresh,
    register_data_jobs,
    session_date,
)
from trademind.testing.clock import TestClock

NEW_YORK = ZoneInfo("America/New_York")
FRIDAY = date(2024, 6, 14)
INDEPENDENCE_DAY = date(2024, 7, 4)  # a Thursday, NYSE closed


class FakeRefresher:
    def __init__(
        self,
        bar_errors: Mapping[str, str] | None = None,
        indicator_errors: Mapping[str, str] | None = None,
        raise_on_bars: Exception | None = None,
    ) -> None:
        self.bar_errors = dict(bar_errors or {})
        self.indicator_errors = dict(indicator_errors or {})
        self.raise_on_bars = raise_on_bars
        self.calls: list[tuple[str, list[str]]] = []

    def refresh_bars(self, symbols: list[str]) -> dict[str, str | None]:
        self.calls.append(("bars", symbols))
        if self.raise_on_bars is not None:
            raise self.raise_on_bars
        return {symbol: self.bar_errors.get(symbol) for symbol in symbols}

    def refresh_indicators(self, symbols: list[str]) -> dict[str, str | None]:
        self.calls.append(("indicators", symbols))
        return {symbol: self.indicator_errors.get(symbol) for symbol in symbols}


def test_the_nyse_calendar_knows_sessions_and_holidays() -> None:
    assert nyse_is_session(FRIDAY)
    assert not nyse_is_session(INDEPENDENCE_DAY)
    assert not nyse_is_session(date(2024, 6, 15))  # Saturday


def test_runs_on_a_session(caplog: pytest.LogCaptureFixture) -> None:
    refresher = FakeRefresher()
    with caplog.at_level(logging.INFO, logger="trademind.runtime.jobs"):
        outcome = post_close_refresh(
            refresher, symbols=["AAPL", "MSFT"], today=FRIDAY, is_session=nyse_is_session
        )
    assert refresher.calls == [("bars", ["AAPL", "MSFT"]), ("indicators", ["AAPL", "MSFT"])]
    assert outcome.ran
    assert outcome.refreshed == ("AAPL", "MSFT")
    assert outcome.failed == {}
    assert "2 refreshed, 0 failed" in caplog.text


def test_skips_a_holiday_with_an_info_log(caplog: pytest.LogCaptureFixture) -> None:
    refresher = FakeRefresher()
    with caplog.at_level(logging.INFO, logger="trademind.runtime.jobs"):
        outcome = post_close_refresh(
            refresher, symbols=["AAPL"], today=INDEPENDENCE_DAY, is_session=nyse_is_session
        )
    assert not outcome.ran
    assert refresher.calls == []
    (record,) = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert "2024-07-04 is not an NYSE session" in record.getMessage()


def test_one_symbols_failure_is_logged_and_the_others_proceed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresher = FakeRefresher(
        bar_errors={"MSFT": "network unreachable; use --source sample"},
        indicator_errors={"NVDA": "no bars"},
    )
    with caplog.at_level(logging.INFO, logger="trademind.runtime.jobs"):
        outcome = post_close_refresh(
            refresher, symbols=["AAPL", "MSFT", "NVDA"], today=FRIDAY, is_session=lambda _: True
        )
    assert refresher.calls[1] == ("indicators", ["AAPL", "NVDA"])
    assert outcome.refreshed == ("AAPL",)
    assert outcome.failed == {"MSFT": "network unreachable; use --source sample", "NVDA": "no bars"}
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("MSFT failed: network unreachable" in message for message in errors)
    assert any("NVDA failed: no bars" in message for message in errors)


def test_a_step_that_raises_never_reaches_the_scheduler(caplog: pytest.LogCaptureFixture) -> None:
    refresher = FakeRefresher(raise_on_bars=RuntimeError("database gone"))
    outcome = post_close_refresh(
        refresher, symbols=["AAPL"], today=FRIDAY, is_session=lambda _: True
    )
    assert outcome.ran
    assert outcome.refreshed == ()
    assert outcome.failed == {"AAPL": "bar ingest failed: RuntimeError: database gone"}
    assert refresher.calls == [("bars", ["AAPL"])]  # no indicators without bars
    assert "bar ingest failed" in caplog.text


def test_session_date_is_taken_in_the_scheduler_time_zone() -> None:
    late_evening_utc = TestClock(datetime(2024, 6, 15, 2, 0, tzinfo=UTC))
    assert session_date(late_evening_utc, "America/New_York") == FRIDAY
    assert session_date(late_evening_utc, "UTC") == date(2024, 6, 15)


class FakeRuntime:
    def __init__(self, settings: Settings, clock: TestClock) -> None:
        self.settings = settings
        self.clock = clock


def _settings(**scheduler: object) -> Settings:
    return Settings(
        scheduler={"post_close_time": "16:45", "misfire_grace_seconds": 120, **scheduler},
        data={"watchlist": ["aapl", "BRK.B"]},
    )


def test_the_job_is_registered_after_the_close_on_weekdays() -> None:
    clock = TestClock(datetime(2024, 6, 14, 20, 45, tzinfo=UTC))
    scheduler = build_scheduler(FakeRuntime(_settings(), clock), FakeRefresher())
    (job,) = scheduler.get_jobs()
    assert job.id == POST_CLOSE_JOB_ID
    assert job.misfire_grace_time == 120
    assert job.coalesce
    assert job.max_instances == 1
    assert not scheduler.running
    fires = job.trigger.get_next_fire_time(None, datetime(2024, 6, 14, 9, 0, tzinfo=NEW_YORK))
    assert fires == datetime(2024, 6, 14, 16, 45, tzinfo=NEW_YORK)
    after_friday = job.trigger.get_next_fire_time(
        None, datetime(2024, 6, 14, 17, 0, tzinfo=NEW_YORK)
    )
    assert after_friday == datetime(2024, 6, 17, 16, 45, tzinfo=NEW_YORK)  # Monday


def test_the_registered_job_refreshes_the_watchlist_on_sessions_only() -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    refresher = FakeRefresher()
    clock = TestClock(datetime(2024, 6, 14, 20, 45, tzinfo=UTC))
    scheduler = BackgroundScheduler()
    job = register_data_jobs(scheduler, settings=_settings, refresher=refresher, clock=clock)
    outcome = job.func()
    assert outcome.session == FRIDAY
    assert outcome.ran
    assert refresher.calls[0] == ("bars", ["AAPL", "BRK-B"])

    clock.set_time(datetime(2024, 7, 4, 20, 45, tzinfo=UTC))
    assert not job.func().ran
    assert len(refresher.calls) == 2


def test_no_jobs_when_the_scheduler_is_disabled() -> None:
    runtime = FakeRuntime(_settings(enabled=False), TestClock())
    assert build_scheduler(runtime, FakeRefresher()).get_jobs() == []
