"""Settings sections for the language model and the sentiment agent."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from trademind.config.base import Section


class LlmSettings(Section):
    """Any OpenAI-compatible chat completions API; the defaults point at Z.ai's GLM models."""

    base_url: str = Field(
        default="https://api.z.ai/api/paas/v4",
        description="Base URL of the OpenAI-compatible API (…/chat/completions is appended).",
    )
    model: str = Field(
        default="glm-4.7", min_length=1, max_length=200, description="Model name sent to the API."
    )
    temperature: float = Field(
        default=0.3, ge=0, le=2, description="Sampling temperature (0 = most deterministic)."
    )
    max_tokens: int = Field(
        default=1024, ge=1, le=131_072, description="Upper bound on tokens in one answer."
    )
    timeout: float = Field(
        default=30.0, gt=0, le=600, description="Seconds to wait for one API call."
    )
    max_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries with exponential backoff after a failed or timed-out call.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="API key sent as a Bearer token. Secret: set TRADEMIND__LLM__API_KEY. "
        "Without it the sentiment agent uses its momentum fallback.",
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/")


class SentimentSettings(Section):
    """The news sentiment agent (LLM analysis with a momentum fallback)."""

    enabled: bool = Field(default=True, description="Let the sentiment agent vote.")
    model: Literal["llm", "lexicon"] = Field(
        default="llm",
        description="Text model that reads the news: llm (the configured language model) or "
        "lexicon (offline finance-tuned VADER: no API key, no cost, abstains without evidence).",
    )
    cache_ttl_seconds: int = Field(
        default=1200,
        ge=60,
        le=86_400,
        description="How long a symbol's sentiment is reused before asking again "
        "(15-30 minutes is the intended range).",
    )
    news_lookback_hours: int = Field(
        default=24, ge=1, le=720, description="Age of the oldest news item considered, in hours."
    )
    max_news_items: int = Field(
        default=20, ge=1, le=200, description="Most news items sent to the model per symbol."
    )
    fallback_to_momentum: bool = Field(
        default=True,
        description="Without an LLM answer, derive sentiment from price momentum and volume.",
    )
    failure_threshold: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Consecutive LLM failures after which calls pause (circuit breaker).",
    )
    failure_cooldown_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="How long LLM calls pause after the failure threshold is reached.",
    )
    store_history: bool = Field(
        default=True, description="Save every sentiment result to the sentiment_history table."
    )
