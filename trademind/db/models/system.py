"""Operational records: safety events, the trading state per account, configuration changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.market import TradingMode
from trademind.core.trading_state import TradingState
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
    """Something the safety layer did or saw: a veto, a tripped breaker, an emergency stop.

    A trading state change (revision 0007) names its account, its ``actor`` (who asked: a
    user, ``circuit_breaker``...), ``from_state``/``to_state``, its event name in
    ``event_type`` and its reason in ``message``.
    """

    __tablename__ = "safety_events"
    __table_args__ = (
        one_of("severity", SEVERITIES),
        one_of("mode", TradingMode, nullable=True),
        one_of("from_state", TradingState, nullable=True),
        one_of("to_state", TradingState, nullable=True),
        sa.Index("ix_safety_events_occurred_at", "occurred_at"),
        sa.Index("ix_safety_events_account_id_occurred_at", "account_id", "occurred_at"),
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
    account_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
    actor: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str | None] = mapped_column(sa.String(16))


class SafetyStateRow(Base):
    """The trading state of one account, as the last state change left it (no row: ACTIVE)."""

    __tablename__ = "safety_state"
    __table_args__ = (one_of("state", TradingState),)

    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    changed_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    reason: Mapped[str] = mapped_column(sa.Text)
    event_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("safety_events.id"))


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
