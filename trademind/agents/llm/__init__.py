"""The language model client (OpenAI-compatible chat completions) and its cost ledger port.

See docs/ai.md, "LLM client".
"""

from __future__ import annotations

from trademind.agents.llm.breaker import BreakerState, CircuitBreaker
from trademind.agents.llm.client import LlmClient
from trademind.agents.llm.ledger import CallLedger
from trademind.agents.llm.messages import ChatMessage, LlmAnswer

__all__ = [
    "BreakerState",
    "CallLedger",
    "ChatMessage",
    "CircuitBreaker",
    "LlmAnswer",
    "LlmClient",
]
