"""Market-side tables: price bars, quarantined bars, indicator values, news and sentiment."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.db.base import NAME_LENGTH, SHORT_TEXT, SYMBOL_LENGTH, Base, BigId
from trademind.db.tables import data_quarantine, market_data


class MarketData(Base):
    """One OHLCV bar. Keyed by (symbol, timeframe, ts); a TimescaleDB hypertable when available.

    ``ts`` is the bar's open time in UTC. The primary key's column order serves "latest bar of a
    symbol" (a backward scan of one (symbol, timeframe) prefix) and date-range reads.
    Prices are float64 series data; money becomes Decimal only at the ledger.
    On SQLite the table is ``WITHOUT ROWID``: rows live in the primary-key B-tree itself, so a
    bulk insert writes each bar once instead of into a table and a separate key index.
    """

    __table__: ClassVar[sa.FromClause] = market_data  # defined in trademind.db.tables

    symbol: Mapped[str]
    timeframe: Mapped[str]
    ts: Mapped[datetime]
    open: Mapped[float]
    high: Mapped[float]
    low: Mapped[float]
    close: Mapped[float]
    volume: Mapped[float]
    adj_close: Mapped[float | None]
    source: Mapped[str]
    ingested_at: Mapped[datetime]


class Indicator(Base):
    """One indicator value per row (long layout), keyed by (symbol, timeframe, ts, name).

    ``name`` identifies the indicator and its parameters (``rsi_14``, ``macd_12_26_9_signal``).
    A long layout lets indicator sets change without schema migrations, makes bulk upserts a
    plain ``ON CONFLICT (pk) DO UPDATE``, and "all indicators of a symbol for a date range" is a
    range scan of the primary key prefix (symbol, timeframe, ts).
    """

    __tablename__ = "indicators"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy's declaration

    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH), primary_key=True)
    timeframe: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    ts: Mapped[datetime] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), primary_key=True)
    value: Mapped[float | None]
    computed_at: Mapped[datetime]


class DataQuarantine(Base):
    """A bar the ingest refused (unparsable, inconsistent, conflicting), kept with its reason.

    Bad rows are never dropped in silence and never overwrite good bars: they land here and
    ``data verify`` lists the open ones. ``fingerprint`` (a SHA-256 of symbol, timeframe,
    source, ts, check and raw row) makes re-ingesting the same bad row a no-op instead of a
    duplicate; ``resolved_at`` is set when the problem is dealt with.
    """

    __table__: ClassVar[sa.FromClause] = data_quarantine  # defined in trademind.db.tables

    id: Mapped[int]
    symbol: Mapped[str]
    timeframe: Mapped[str]
    ts: Mapped[datetime | None]
    source: Mapped[str]
    check: Mapped[str]
    detail: Mapped[str]
    raw: Mapped[dict[str, Any] | None]
    fingerprint: Mapped[str]
    quarantined_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class NewsItemRow(Base):
    """A news article, stored once whatever the feeds and symbols it came through.

    ``content_hash`` (SHA-256 of the normalised title and URL) identifies an article: a
    duplicate merges into the stored row (earliest ``published_at`` and ``first_seen_at`` kept).
    ``first_seen_at`` is when TradeMind first saw it, for any symbol; each symbol's own first
    sighting is on :class:`NewsItemSymbol`.
    """

    __tablename__ = "news_items"
    __table_args__ = (sa.UniqueConstraint("content_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    published_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]


class NewsItemSymbol(Base):
    """One symbol a news article is about, with the article's ``published_at`` and the time
    the article was first seen *for this symbol* (copied here so the point-in-time query of one
    symbol is a range scan of ``(symbol, published_at)`` without touching ``news_items``)."""

    __tablename__ = "news_item_symbols"
    __table_args__ = (
        sa.Index("ix_news_item_symbols_symbol_published_at", "symbol", "published_at"),
    )

    news_item_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("news_items.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH), primary_key=True)
    published_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]


class SentimentRecord(Base):
    """One sentiment result of a symbol at one decision time (migration 0013): the text model
    configured (``model``), what answered (``source``: llm, llm-text, lexicon, fallback), the
    label, score and confidence (NULL with ``abstention_reason`` when it abstained), the key
    factors, reasoning and notes, the cost, the news items read, and whose session it was."""

    __tablename__ = "sentiment_history"
    __table_args__ = (
        sa.CheckConstraint("score >= -1 AND score <= 1", name="score_range"),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        sa.Index("ix_sentiment_history_symbol_decided_at", "symbol", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    decided_at: Mapped[datetime]
    computed_at: Mapped[datetime]
    model: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    source: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    label: Mapped[str | None] = mapped_column(sa.String(16))
    score: Mapped[float | None]
    confidence: Mapped[float | None]
    key_factors: Mapped[list[Any]]
    reasoning: Mapped[str] = mapped_column(sa.Text)
    notes: Mapped[list[Any]]
    cost_usd: Mapped[float]
    news_count: Mapped[int]
    abstention_reason: Mapped[str | None] = mapped_column(sa.Text)
    account: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    variant: Mapped[str | None] = mapped_column(sa.String(SHORT_TEXT))


class IndicatorState(Base):
    """Where the indicator kernels stopped for one (symbol, timeframe): the next update
    continues from here over the new bars only, giving the same values as a full recompute.

    ``spec_key`` identifies the indicator set (and engine version) the state belongs to; a
    different key means a full recompute. ``state`` is the kernels' float64 state vector as
    little-endian bytes. The *window* is the last ``window_length`` bars processed (from
    ``window_start_ts`` to ``last_ts``); the next update re-reads it and compares
    ``window_checksum`` (SHA-256 of those bars as used), so a changed adjustment or a corrected
    bar forces a full recompute.
    """

    __tablename__ = "indicator_state"

    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH), primary_key=True)
    timeframe: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    spec_key: Mapped[str] = mapped_column(sa.String(64))
    last_ts: Mapped[datetime]
    bars_seen: Mapped[int] = mapped_column(sa.BigInteger)
    window_start_ts: Mapped[datetime]
    window_length: Mapped[int]
    window_checksum: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[bytes] = mapped_column(sa.LargeBinary)
    updated_at: Mapped[datetime]
