"""The tables ``data status`` and ``backtest list`` read, defined in SQLAlchemy Core.

Their one definition: the ORM classes :class:`~trademind.db.models.MarketData`,
:class:`~trademind.db.models.DataQuarantine` and :class:`~trademind.db.models.BacktestRun` are
mapped onto these tables (``__table__``), so the metadata Alembic compares is unchanged. Light to
import (no ORM): the two commands read through Core without building the mapped classes.

The columns are what the declarative mapping of :class:`~trademind.db.base.Base` would make of
the annotations: a timestamp is :class:`UtcDateTime`, an amount :class:`ExactDecimal`, a float
``Double``, a JSON document :data:`JsonDocument`; NOT NULL unless the annotation is optional.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from trademind.db.types import ExactDecimal, JsonDocument, UtcDateTime
from trademind.db.vocabulary import (
    BACKTEST_STATUSES,
    NAME_LENGTH,
    SHORT_TEXT,
    SYMBOL_LENGTH,
    BigId,
    metadata,
    one_of,
)


def _required(name: str, kind: TypeEngine[Any], **options: Any) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=False, **options)


def _optional(name: str, kind: TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=True)


market_data: Final = sa.Table(
    "market_data",
    metadata,
    _required("symbol", sa.String(SYMBOL_LENGTH), primary_key=True),
    _required("timeframe", sa.String(16), primary_key=True),
    _required("ts", UtcDateTime(), primary_key=True),
    _required("open", sa.Double()),
    _required("high", sa.Double()),
    _required("low", sa.Double()),
    _required("close", sa.Double()),
    _required("volume", sa.Double()),
    _optional("adj_close", sa.Double()),
    _required("source", sa.String(SHORT_TEXT)),
    _required("ingested_at", UtcDateTime()),
    sqlite_with_rowid=False,
)

data_quarantine: Final = sa.Table(
    "data_quarantine",
    metadata,
    _required("id", BigId, primary_key=True, autoincrement=True),
    _required("symbol", sa.String(SYMBOL_LENGTH)),
    _required("timeframe", sa.String(16)),
    _optional("ts", UtcDateTime()),
    _required("source", sa.String(SHORT_TEXT)),
    _required("check", sa.String(NAME_LENGTH)),
    _required("detail", sa.Text()),
    _optional("raw", JsonDocument),
    _required("fingerprint", sa.String(64)),
    _required("quarantined_at", UtcDateTime()),
    _optional("resolved_at", UtcDateTime()),
    sa.UniqueConstraint("fingerprint"),
    sa.Index("ix_data_quarantine_symbol_timeframe", "symbol", "timeframe"),
)

backtest_runs: Final = sa.Table(
    "backtest_runs",
    metadata,
    _required("id", BigId, primary_key=True, autoincrement=True),
    _optional("name", sa.String(128)),
    _required("strategy", sa.String(NAME_LENGTH)),
    _required("symbols", JsonDocument, default=list),
    _required("timeframe", sa.String(16)),
    _required("period_start", UtcDateTime()),
    _required("period_end", UtcDateTime()),
    _required("initial_capital", ExactDecimal()),
    _optional("final_equity", ExactDecimal()),
    _required("status", sa.String(16), default="running"),
    _required("config", JsonDocument, default=dict),
    _required("params", JsonDocument, default=dict),
    _required("metrics", JsonDocument, default=dict),
    _required("equity_curve", JsonDocument, default=list),
    _required("trades", JsonDocument, default=list),
    _optional("error", sa.Text()),
    _optional("code_version", sa.String(NAME_LENGTH)),
    _required("started_at", UtcDateTime()),
    _optional("finished_at", UtcDateTime()),
    one_of("status", BACKTEST_STATUSES),
    sa.Index("ix_backtest_runs_started_at", "started_at"),
    sa.Index("ix_backtest_runs_strategy_started_at", "strategy", "started_at"),
)
