"""Operational records: safety events and configuration changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.market import TradingMode
from trademind.db.base import (
    NAME_LENGTH,
    SEVERITIES,
    SHORT_TEXT,
    SYMBOL_LENGTH,
    Base,
    BigId,
    one_of,
)


class SafetyEvent(Base):
    """Something the safety layer did or saw: a veto, a tripped breaker, an emergency stop."""

    __tablename__ = "safety_events"
    __table_args__ = (
        one_of("severity", SEVERITIES),
        one_of("mode", TradingMode, nullable=True),
        sa.Index("ix_safety_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime]
    mode: Mapped[str | None] = mapped_column(sa.String(16))
    event_type: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    severity: Mapped[str] = mapped_column(sa.String(16))
    rule: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    symbol: Mapped[str | None] = mapped_column(sa.String(SYMBOL_LENGTH))
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id"))
    message: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any] | None]
    source: Mapped[str | None] = mapped_column(sa.String(SHORT_TEXT))
    resolved_at: Mapped[datetime | None]


class ConfigChange(Base):
    """One configuration key changed (``config set``/``import``/hot reload). Secrets masked."""

    __tablename__ = "config_changes"
    __table_args__ = (sa.Index("ix_config_changes_changed_at", "changed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    changed_at: Mapped[datetime]
    key: Mapped[str] = mapped_column(sa.String(200))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    file_path: Mapped[str | None] = mapped_column(sa.Text)
