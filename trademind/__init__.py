"""TradeMind: a self-hosted trading system for US equities."""

__version__ = "0.1.0"
