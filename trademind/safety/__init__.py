"""Safety layer: trading state, pre-trade rules, circuit breakers and risk mathematics."""
