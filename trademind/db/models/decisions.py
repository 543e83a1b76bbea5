"""Audit of what the system decided and what backtests found."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.decisions import Action
from trademind.core.market import TradingMode
from trademind.db.base import (
    NAME_LENGTH,
    SHORT_TEXT,
    SYMBOL_LENGTH,
    Base,
    BigId,
    one_of,
)
from trademind.db.tables import backtest_runs


class AgentDecision(Base):
    """One decision of an agent or of the orchestrator, with every vote, for audit.

    ``bar_ts`` is the decision's data time, the close of the last bar it could see: an audit
    can prove no later data was used. ``decision_ref`` is the core decision's id, unique in its
    account; orders name it (``orders.decision_ref``). ``score`` is the weighted score (NULL
    without a quorum), ``buy_threshold``/``sell_threshold``/``quorum``/``participation`` the
    rules and the fraction of the weight that voted, ``votes`` every vote and abstention with
    its weight, ``reasoning`` the one-sentence explanation. ``payload`` holds other inputs
    (JSONB on PostgreSQL).
    """

    __tablename__ = "agent_decisions"
    __table_args__ = (
        one_of("mode", TradingMode),
        one_of("action", Action),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        sa.CheckConstraint("score >= -1 AND score <= 1", name="score_range"),
        *(
            sa.CheckConstraint(f"{name} >= 0 AND {name} <= 1", name=f"{name}_range")
            for name in ("buy_threshold", "sell_threshold", "quorum", "participation")
        ),
        sa.UniqueConstraint("account_id", "decision_ref"),
        sa.Index("ix_agent_decisions_account_id_decided_at", "account_id", "decided_at"),
        sa.Index("ix_agent_decisions_decided_at", "decided_at"),
        sa.Index("ix_agent_decisions_symbol_decided_at", "symbol", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decided_at: Mapped[datetime]
    bar_ts: Mapped[datetime | None]
    mode: Mapped[str] = mapped_column(sa.String(16))
    agent: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    strategy: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    variant: Mapped[str | None] = mapped_column(sa.String(SHORT_TEXT))
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    action: Mapped[str] = mapped_column(sa.String(8))
    confidence: Mapped[float]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reasoning: Mapped[str | None] = mapped_column(sa.Text)
    vetoed: Mapped[bool] = mapped_column(default=False)
    veto_reason: Mapped[str | None] = mapped_column(sa.Text)
    account_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
    decision_ref: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    score: Mapped[float | None]
    buy_threshold: Mapped[float | None]
    sell_threshold: Mapped[float | None]
    quorum: Mapped[float | None]
    participation: Mapped[float | None]
    votes: Mapped[list[Any]] = mapped_column(default=list, server_default=sa.text("'[]'"))


class BacktestRun(Base):
    """A backtest: what was run (config, params), what came out (metrics, equity, trades)."""

    __table__: ClassVar[sa.FromClause] = backtest_runs  # defined in trademind.db.tables

    id: Mapped[int]
    name: Mapped[str | None]
    strategy: Mapped[str]
    symbols: Mapped[list[Any]]
    timeframe: Mapped[str]
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    initial_capital: Mapped[Decimal]
    final_equity: Mapped[Decimal | None]
    status: Mapped[str]
    config: Mapped[dict[str, Any]]
    params: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    equity_curve: Mapped[list[Any]]
    trades: Mapped[list[Any]]
    error: Mapped[str | None]
    code_version: Mapped[str | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
