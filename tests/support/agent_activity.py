"""Agent activity and bars for the web tests: LLM calls, sentiment readings and a short AAPL
series with a weekend bar (a data quality problem)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.core.sentiment_history import SentimentReading
from trademind.data.store import BarStore
from trademind.db.llm_calls import LlmCallRepository
from trademind.db.sentiment_history import SentimentHistoryRepository
from trademind.db.session import Database

AT = datetime(2024, 1, 4, 15, tzinfo=UTC)
OUTCOMES = (  # oldest first
    LlmOutcome.TIMEOUT,
    LlmOutcome.OK,
    LlmOutcome.HTTP_ERROR,
    LlmOutcome.TIMEOUT,
    LlmOutcome.BREAKER_OPEN,
    LlmOutcome.PARSE_ERROR,
)
"""Newest back to the last ok: parse error, (refusal), timeout, HTTP error: 3 failed in a row."""
DAYS = pd.date_range("2024-01-02", periods=5, freq="D", tz="UTC")  # Saturday 6 January: no session


def write_agent_activity(database: Database) -> None:
    calls = LlmCallRepository(database)
    for minutes, outcome in enumerate(OUTCOMES):
        reached = outcome is not LlmOutcome.BREAKER_OPEN
        calls.record(
            LlmCall(
                called_at=AT + timedelta(minutes=minutes),
                model="gpt-4o-mini",
                purpose="sentiment",
                outcome=outcome,
                attempts=1 if reached else 0,
                tokens_in=120 if outcome is LlmOutcome.OK else None,
                tokens_out=30 if outcome is LlmOutcome.OK else None,
                latency_ms=850.0 if reached else None,
                cost_usd=Decimal("0.000036") if outcome is LlmOutcome.OK else None,
                error=None if outcome is LlmOutcome.OK else f"{outcome.value} (test)",
            )
        )
    readings = SentimentHistoryRepository(database)
    readings.add(_reading("AAPL", AT, label="positive", score=0.6, confidence=0.8))
    readings.add(_reading("MSFT", AT + timedelta(hours=1), abstention_reason="no news"))
    _store_bars(database)


def _reading(
    symbol: str,
    at: datetime,
    *,
    label: str | None = None,
    score: float | None = None,
    confidence: float | None = None,
    abstention_reason: str | None = None,
) -> SentimentReading:
    return SentimentReading(
        symbol=symbol,
        decided_at=at,
        computed_at=at,
        model="llm",
        source="llm" if abstention_reason is None else "fallback",
        label=label,
        score=score,
        confidence=confidence,
        key_factors=("earnings beat",) if label else (),
        reasoning="Earnings beat estimates." if label else "",
        news_count=3 if label else 0,
        abstention_reason=abstention_reason,
    )


def _store_bars(database: Database) -> None:
    closes = np.array([100.0, 101.0, 102.0, 103.0, 104.0])
    frame = pd.DataFrame(
        {
            "ts": DAYS,
            "open": closes - 0.5,
            "high": closes + 1,
            "low": closes - 1,
            "close": closes,
            "volume": np.full(5, 1000.0),
        }
    )
    BarStore(database).upsert_bars("AAPL", "1d", "csv", frame, now=AT)
