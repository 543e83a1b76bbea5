"""What goes to the language model and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat completions request."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmAnswer:
    """The model's answer to one call: ``content`` as sent, ``data`` the parsed JSON object
    when one was asked for (None otherwise), the tokens the API reported, the cost from the
    price table (None for a model without a price) and the time it took, retries included."""

    content: str
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: Decimal | None
    latency_ms: float
    attempts: int
    data: dict[str, Any] | None = None
