"""Strategy selection: causal regime features and the rule that picks a strategy per regime."""
