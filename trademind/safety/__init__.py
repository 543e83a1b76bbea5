"""The safety layer: the trading state of each account and the pre-trade rule chain.

Every order, whatever its source, passes :class:`~trademind.safety.chain.SafetyChain` before it
reaches the execution router. See docs/safety.md.
"""
