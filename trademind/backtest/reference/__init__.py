"""The reference engine: the same run through backtrader (optional dependency), kept to prove
the native engine's fills, trades and equity (tests/integration/test_backtrader_parity.py)."""
