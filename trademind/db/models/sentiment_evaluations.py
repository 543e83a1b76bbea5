"""Sentiment evaluations: what `trademind agents eval-sentiment` measured, one row per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.db.base import NAME_LENGTH, SHORT_TEXT, Base, BigId


class SentimentEvaluation(Base):
    """One evaluation of a sentiment model on a labelled file: the model, the file (as given,
    and the SHA-256 of its bytes), the headline figures as columns and every figure (per-class
    recall, precision and F1, the confusion matrix, the majority baseline) in ``metrics``."""

    __tablename__ = "sentiment_evaluations"
    __table_args__ = (
        sa.Index("ix_sentiment_evaluations_model_evaluated_at", "model", "evaluated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    evaluated_at: Mapped[datetime]
    model: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    dataset: Mapped[str] = mapped_column(sa.Text)
    dataset_sha256: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    count: Mapped[int]
    accuracy: Mapped[float]
    coverage: Mapped[float]
    covered_accuracy: Mapped[float | None]
    macro_f1: Mapped[float]
    ece: Mapped[float | None]
    latency_p50_ms: Mapped[float | None]
    latency_p95_ms: Mapped[float | None]
    cost_usd: Mapped[float]
    metrics: Mapped[dict[str, Any]]
