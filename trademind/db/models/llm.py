"""The language model cost ledger: one row per call of the LLM client, failures included."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.llm_calls import LlmOutcome
from trademind.db.base import NAME_LENGTH, SHORT_TEXT, Base, BigId, one_of


class LlmCallRow(Base):
    """One call (its retries together): when, which model, what for (``purpose``), the tokens
    the API reported, the latency (every attempt and wait), the cost from ``llm.prices`` (NULL
    for an unknown model or no answer), the ``outcome`` and the error text of a failure.
    ``breaker_open`` and ``over_budget`` rows are refusals that never reached the API."""

    __tablename__ = "llm_calls"
    __table_args__ = (
        one_of("outcome", LlmOutcome),
        sa.Index("ix_llm_calls_called_at", "called_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    called_at: Mapped[datetime]
    model: Mapped[str] = mapped_column(sa.String(NAME_LENGTH * 2))
    purpose: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    tokens_in: Mapped[int | None] = mapped_column(sa.Integer)
    tokens_out: Mapped[int | None] = mapped_column(sa.Integer)
    latency_ms: Mapped[float | None]
    cost_usd: Mapped[Decimal | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
