"""Strategy validations: what `trademind safety validate` found, one row per run of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.db.base import NAME_LENGTH, Base, BigId


class StrategyValidation(Base):
    """One validation of a strategy with its parameters (``params``, resolved, and
    ``params_hash``, the key the paper-mode gate looks them up by): the symbols it ran on, when,
    whether it passed, every reason (``reasons``: the checks with their verdicts) and the
    figures (the measurement and its window, Monte Carlo drawdown percentile, round trips,
    breaker trips, refused entries). ``backtest_run_id`` named the ``backtest_runs`` row a
    validation measured while validations ran a plain backtest; validations that replay the
    strategy in a sandbox leave it NULL (no foreign key: deleting a run keeps its
    validations)."""

    __tablename__ = "strategy_validations"
    __table_args__ = (
        sa.Index(
            "ix_strategy_validations_strategy_params_hash_validated_at",
            "strategy",
            "params_hash",
            "validated_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    validated_at: Mapped[datetime]
    strategy: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    params_hash: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict[str, Any]]
    symbols: Mapped[list[Any]]
    passed: Mapped[bool] = mapped_column(sa.Boolean)
    reasons: Mapped[list[Any]]
    figures: Mapped[dict[str, Any]]
    backtest_run_id: Mapped[int | None] = mapped_column(BigId)
