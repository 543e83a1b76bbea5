"""Shared pieces of the LLM client tests (tests/unit/agents/llm): settings pointing at the
fake server, a recording sleeper, the client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from trademind.agents.llm import LlmClient
from trademind.config.sections_ai import LlmSettings, ModelPrice
from trademind.core.clock import TestClock
from trademind.testing.fake_llm import FakeLlmServer
from trademind.testing.llm_ledger import MemoryCallLedger

API_KEY = "sk-test-SECRET-4242"


@dataclass
class RecordingSleeper:
    """Records each wait and moves the test clock instead of sleeping."""

    clock: TestClock
    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


def settings_for(server: FakeLlmServer, **overrides: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "model": "glm-4.7",
        "timeout": 2.0,
        "max_retries": 2,
        "retry_initial_wait": 1.0,
        "retry_max_wait": 8.0,
        "breaker_failures": 3,
        "breaker_cooldown_seconds": 60.0,
        "prices": [ModelPrice(model="glm-4.7", input_per_million=0.6, output_per_million=2.2)],
        "daily_budget_usd": 1.0,
        "api_key": SecretStr(API_KEY),
    }
    values.update(overrides)
    return LlmSettings(**values)


@dataclass
class Harness:
    server: FakeLlmServer
    clock: TestClock
    ledger: MemoryCallLedger
    sleeper: RecordingSleeper

    def client(self, **overrides: Any) -> LlmClient:
        return LlmClient(
            settings_for(self.server, **overrides), self.ledger, self.clock, sleep=self.sleeper
        )

    def outcomes(self) -> list[str]:
        return [call.outcome.value for call in self.ledger.calls]
