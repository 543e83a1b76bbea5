"""The ``llm_calls`` ledger on real databases, and `trademind agents costs` reading it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from support.cli_driver import Cli

from trademind.cli.context import CliState
from trademind.core.clock import TestClock
from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.db.llm_calls import LlmCallRepository
from trademind.db.session import Database
from trademind.services.llm_costs import percentiles

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def _call(when: datetime, outcome: LlmOutcome, **fields: object) -> LlmCall:
    return LlmCall(called_at=when, model="glm-4.7", purpose="sentiment", outcome=outcome, **fields)  # type: ignore[arg-type]


def test_calls_are_stored_and_summed_per_utc_day(database: Database) -> None:
    ledger = LlmCallRepository(database)
    ledger.record(_call(NOW, LlmOutcome.OK, attempts=1, tokens_in=1000, tokens_out=500,
                        latency_ms=812.5, cost_usd=Decimal("0.0017")))  # fmt: skip
    ledger.record(_call(NOW, LlmOutcome.TIMEOUT, attempts=3, latency_ms=90000.0, error="timeout"))
    ledger.record(_call(NOW - timedelta(days=1), LlmOutcome.OK, cost_usd=Decimal("5")))
    assert ledger.cost_on(NOW.date()) == Decimal("0.0017")
    assert ledger.cost_on(date(2024, 3, 4)) == Decimal(5)
    assert ledger.cost_on(date(2024, 3, 6)) == Decimal(0)
    stored = ledger.since(NOW)
    assert [c.outcome for c in stored] == [LlmOutcome.OK, LlmOutcome.TIMEOUT]
    assert stored[0].cost_usd == Decimal("0.0017")
    assert (stored[0].tokens_in, stored[0].latency_ms) == (1000, 812.5)
    assert (stored[1].cost_usd, stored[1].error, stored[1].attempts) == (None, "timeout", 3)


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentiles([]) == (None, None)
    assert percentiles([40.0]) == (40.0, 40.0)
    p50, p95 = percentiles([float(v) for v in range(1, 101)])  # 1..100
    assert p50 == pytest.approx(50.5)
    assert p95 == pytest.approx(95.05)


def _seeded_cli(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Cli:
    database = Database(f"sqlite:///{data_dir / 'trademind.db'}")
    ledger = LlmCallRepository(database)
    ledger.record(_call(NOW, LlmOutcome.OK, attempts=1, tokens_in=1000, tokens_out=500,
                        latency_ms=100.0, cost_usd=Decimal("0.0017")))  # fmt: skip
    ledger.record(_call(NOW, LlmOutcome.HTTP_ERROR, attempts=4, latency_ms=300.0))
    ledger.record(_call(NOW, LlmOutcome.BREAKER_OPEN, error="probe in 60s"))
    ledger.record(_call(NOW - timedelta(days=9), LlmOutcome.OK, cost_usd=Decimal(9)))  # outside
    database.dispose()
    return Cli(capsys, lambda: CliState(clock=TestClock(NOW)))


def test_agents_costs_reports_days_outcomes_tokens_and_latency(
    capsys: pytest.CaptureFixture[str], migrated_data_dir: Path
) -> None:
    cli = _seeded_cli(capsys, migrated_data_dir)
    report = cli.json("agents", "costs", "--days", "7")
    assert report["start"] == "2024-02-28"
    assert report["rows"] == [
        {"day": "2024-03-05", "model": "glm-4.7", "calls": 3, "cost_usd": "0.00170000",
         "unpriced": 2, "tokens_in": 1000, "tokens_out": 500}
    ]  # fmt: skip
    assert report["outcomes"]["ok"] == 1
    assert report["outcomes"]["http_error"] == 1
    assert report["outcomes"]["breaker_open"] == 1
    assert report["outcomes"]["over_budget"] == 0
    assert report["calls"] == 3
    assert report["latency_p50_ms"] == pytest.approx(200.0)  # the refusal has no latency
    code, out, _err = cli("agents", "costs", "--days", "7")
    assert code == 0
    assert "$0.0017" in out
    assert "latency p50 200 ms" in out


def test_agents_costs_rejects_a_bad_day_count(
    capsys: pytest.CaptureFixture[str], migrated_data_dir: Path
) -> None:
    err = Cli(capsys).fails("agents", "costs", "--days", "0", code=2)
    assert "--days" in err


async def test_the_client_records_into_the_database_and_its_budget_reads_it(
    database: Database,
) -> None:
    from support.llm_client import RecordingSleeper, settings_for

    from trademind.agents.llm import ChatMessage, LlmClient
    from trademind.core.errors import LlmUnavailableError
    from trademind.testing.fake_llm import FakeLlmServer, json_answer

    clock = TestClock(NOW)
    ledger = LlmCallRepository(database)
    with FakeLlmServer() as server:
        server.script(json_answer({"ok": 1}, tokens_in=1_000_000, tokens_out=0))  # $0.60
        settings = settings_for(server, daily_budget_usd=0.5)
        async with LlmClient(settings, ledger, clock, sleep=RecordingSleeper(clock)) as client:
            await client.complete([ChatMessage("user", "hi")], purpose="sentiment")
            with pytest.raises(LlmUnavailableError, match="over budget"):
                await client.complete([ChatMessage("user", "hi")], purpose="sentiment")
    assert [c.outcome for c in ledger.since(NOW)] == [LlmOutcome.OK, LlmOutcome.OVER_BUDGET]
    assert ledger.cost_on(NOW.date()) == Decimal("0.6")
