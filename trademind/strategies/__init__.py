"""Rule-based strategies: declared parameters, causal signals, a registry."""
