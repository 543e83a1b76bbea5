"""``sentiment_history`` (migration 0013) and the pending rows written with another transaction,
and the LLM calls kept for a journal's transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.core.sentiment_history import SentimentReading
from trademind.db.llm_calls import LlmCallRepository, PendingLlmCalls
from trademind.db.sentiment_history import PendingSentimentRows, SentimentHistoryRepository
from trademind.db.session import Database

T = datetime(2024, 3, 28, 21, 0, tzinfo=UTC)


def reading(symbol: str = "AAPL", hours: float = 0, **changes: object) -> SentimentReading:
    values: dict[str, object] = {
        "symbol": symbol, "decided_at": T + timedelta(hours=hours), "computed_at": T,
        "model": "llm", "source": "llm", "label": "positive", "score": 0.5, "confidence": 0.6,
        "key_factors": ("1d: record sales",), "reasoning": "why", "notes": ("weights",),
        "cost_usd": 0.0025, "news_count": 3, "account": "hybrid", "variant": "default",
    }  # fmt: skip
    values.update(changes)
    return SentimentReading(**values)  # type: ignore[arg-type]


def test_readings_are_stored_and_listed_newest_first(database: Database) -> None:
    history = SentimentHistoryRepository(database)
    history.add(reading(hours=0))
    history.add(reading(hours=2, label=None, score=None, confidence=None, key_factors=(),
                        abstention_reason="no news for AAPL"))  # fmt: skip
    history.add(reading("MSFT", hours=1))
    listed = history.recent("AAPL")
    assert [r.decided_at for r in listed] == [T + timedelta(hours=2), T]
    assert listed[0].abstained
    assert listed[0].label is None
    assert listed[1] == reading(hours=0, id=listed[1].id)  # every field read back
    assert [r.symbol for r in history.recent(limit=2)] == ["AAPL", "MSFT"]
    assert history.recent("AAPL", since=T + timedelta(hours=1))[0].abstained


def test_the_table_refuses_a_score_out_of_range(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        SentimentHistoryRepository(database).add(reading(score=1.5))


def test_pending_rows_are_written_with_the_callers_transaction_or_not_at_all(
    database: Database,
) -> None:
    rows = PendingSentimentRows()
    rows.add(reading())
    assert rows
    rows.clear()
    assert not rows
    rows.add(reading(hours=1))
    database.run(rows.flush)
    assert not rows
    assert len(SentimentHistoryRepository(database).recent()) == 1


def test_kept_llm_calls_count_for_the_budget_before_they_are_written(
    database: Database,
) -> None:
    stored = LlmCallRepository(database)
    stored.record(LlmCall(called_at=T, model="m", purpose="sentiment", outcome=LlmOutcome.OK,
                          cost_usd=Decimal("0.01")))  # fmt: skip
    pending = PendingLlmCalls(stored)
    pending.record(LlmCall(called_at=T, model="m", purpose="sentiment", outcome=LlmOutcome.OK,
                           cost_usd=Decimal("0.02")))  # fmt: skip
    assert pending.cost_on(T.date()) == Decimal("0.03")
    assert stored.cost_on(T.date()) == Decimal("0.01")
    database.run(pending.flush)
    assert stored.cost_on(T.date()) == Decimal("0.03")
    assert pending.cost_on(T.date()) == Decimal("0.03")
    count = database.run(
        lambda c: c.execute(sa.text("SELECT count(*) FROM llm_calls")).scalar_one()
    )
    assert count == 2
