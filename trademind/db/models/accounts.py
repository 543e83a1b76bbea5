"""Named trading accounts, the broker's saved working state, and what each symbol is.

An account (``accounts``) owns its orders, trades (fills), holdings, snapshots and
``broker_state`` documents; its ``mode`` says where its orders go. ``symbols`` caches the sector
and industry of a ticker (NULL: not known, shown as "unknown", never guessed).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.market import TradingMode
from trademind.db.base import NAME_LENGTH, SHORT_TEXT, SYMBOL_LENGTH, Base, BigId, one_of


class Account(Base):
    """A named book: paper, replay, live (later) or backtest, with the cash it started with.

    ``last_used_at`` moves whenever the account trades or is opened to trade: commands
    without ``--account`` use the most recently used one.
    """

    __tablename__ = "accounts"
    __table_args__ = (one_of("mode", TradingMode),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), unique=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    broker: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    starting_cash: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]


class BrokerState(Base):
    """A JSON document a broker keeps under ``name`` for an account (e.g. the paper venue's
    working orders), so that a restart continues from it."""

    __tablename__ = "broker_state"

    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), primary_key=True)
    document: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class SymbolInfo(Base):
    """What a ticker is: name, sector and industry, where that came from and when.

    ``sector``/``industry`` NULL means the lookup gave nothing: shown as "unknown".
    ``source`` is ``shipped`` (the packaged list) or the provider asked (``yfinance``).
    """

    __tablename__ = "symbols"

    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH), primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    sector: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    industry: Mapped[str | None] = mapped_column(sa.String(128))
    source: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    updated_at: Mapped[datetime]
