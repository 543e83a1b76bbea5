"""Every TradeMind table. Importing this package registers them all on ``Base.metadata``."""

from __future__ import annotations

from trademind.db.base import Base
from trademind.db.models.ab_tests import AbTest
from trademind.db.models.accounts import Account, BrokerState, SymbolInfo
from trademind.db.models.decisions import AgentDecision, BacktestRun
from trademind.db.models.llm import LlmCallRow
from trademind.db.models.market import (
    DataQuarantine,
    Indicator,
    MarketData,
    NewsItemRow,
    NewsItemSymbol,
    SentimentRecord,
)
from trademind.db.models.sentiment_evaluations import SentimentEvaluation
from trademind.db.models.system import ConfigChange, SafetyEvent, SafetyStateRow
from trademind.db.models.trading import Holding, Order, PortfolioSnapshot, Trade
from trademind.db.models.validations import StrategyValidation

metadata = Base.metadata
"""The metadata Alembic compares the migrations against."""

__all__ = [
    "AbTest",
    "Account",
    "AgentDecision",
    "BacktestRun",
    "Base",
    "BrokerState",
    "ConfigChange",
    "DataQuarantine",
    "Holding",
    "Indicator",
    "LlmCallRow",
    "MarketData",
    "NewsItemRow",
    "NewsItemSymbol",
    "Order",
    "PortfolioSnapshot",
    "SafetyEvent",
    "SafetyStateRow",
    "SentimentEvaluation",
    "SentimentRecord",
    "StrategyValidation",
    "SymbolInfo",
    "Trade",
    "metadata",
]
