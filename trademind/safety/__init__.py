"""The safety layer: the trading state of each account, the pre-trade rule chain, the risk
measures and the circuit-breaker evaluators.

Every order, whatever its source, passes :class:`~trademind.safety.chain.SafetyChain` before it
reaches the execution router. See docs/safety.md.
"""
