"""Market data: providers (yfinance, CSV, bundled sample), quality checks, the bar store."""
