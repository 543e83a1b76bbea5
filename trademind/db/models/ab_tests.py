"""A/B tests: what `trademind ab run` found, one row per run of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.db.base import NAME_LENGTH, SHORT_TEXT, Base, BigId


class AbTest(Base):
    """One A/B test of two variants (``variant_a``, ``variant_b``) replaying ``strategy`` on
    ``symbols`` over ``[window_start, window_end)``: the common days, the bootstrap's resamples,
    block length and seed, the Sharpe difference (B - A) with its 95% interval, the return and
    max drawdown differences, whether the Sharpe interval excludes 0 (``significant``) and
    everything else (each variant's figures, every interval, the daily equity curves, the
    verdict, the notices) in ``result``."""

    __tablename__ = "ab_tests"
    __table_args__ = (sa.Index("ix_ab_tests_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    variant_a: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    variant_b: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    strategy: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    symbols: Mapped[list[Any]]
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    days: Mapped[int]
    resamples: Mapped[int]
    block_days: Mapped[int]
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    sharpe_diff: Mapped[float]
    sharpe_low: Mapped[float]
    sharpe_high: Mapped[float]
    return_diff: Mapped[float]
    drawdown_diff: Mapped[float]
    significant: Mapped[bool] = mapped_column(sa.Boolean)
    result: Mapped[dict[str, Any]]
