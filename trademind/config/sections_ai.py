"""Settings sections for the language model and the sentiment agent."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from trademind.config.base import Section


class ModelPrice(Section):
    """What one model costs, in US dollars per million tokens."""

    model: str = Field(min_length=1, max_length=200, description="Model name, as in llm.model.")
    input_per_million: float = Field(
        ge=0, le=10_000, description="US dollars per million prompt (input) tokens."
    )
    output_per_million: float = Field(
        ge=0, le=10_000, description="US dollars per million answer (output) tokens."
    )


def _default_prices() -> list[ModelPrice]:
    # Z.ai's published pay-as-you-go list price for GLM-4.7 (USD per 1M tokens) when this was
    # written; check https://z.ai/pricing and override in config.yaml when it changes.
    return [ModelPrice(model="glm-4.7", input_per_million=0.6, output_per_million=2.2)]


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
        description="Retries after a 429, a 5xx, a timeout or a connection failure "
        "(exponential backoff; 0: one attempt only).",
    )
    retry_initial_wait: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds before the first retry; each further retry waits twice as long.",
    )
    retry_max_wait: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Longest backoff between two attempts, in seconds (a longer Retry-After "
        "still wins, up to retry_after_max).",
    )
    retry_after_max: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="Longest Retry-After (seconds) the client waits for; a 429 asking for "
        "longer ends the call as http_error.",
    )
    breaker_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Consecutive failed calls (after their retries) that open the circuit "
        "breaker: calls are refused without reaching the API.",
    )
    breaker_cooldown_seconds: float = Field(
        default=300.0,
        gt=0,
        le=86_400,
        description="Seconds the breaker stays open before one probe call is let through "
        "(half-open).",
    )
    prices: list[ModelPrice] = Field(
        default_factory=_default_prices,
        description="US dollars per million input and output tokens, one entry per model "
        "(model, input_per_million, output_per_million); a model missing here is called but "
        "its cost is recorded as unknown (NULL).",
    )
    daily_budget_usd: float = Field(
        default=1.0,
        ge=0,
        le=100_000,
        description="Most US dollars spent on LLM calls per UTC day; once reached, calls are "
        "refused (outcome over_budget) until the next UTC day.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="API key sent as a Bearer token. Secret: set TRADEMIND__LLM__API_KEY. "
        "Without it the sentiment agent uses its momentum fallback.",
    )

    @field_validator("prices")
    @classmethod
    def _one_price_per_model(cls, prices: list[ModelPrice]) -> list[ModelPrice]:
        names = [price.model for price in prices]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"more than one price for {', '.join(repeated)}")
        return prices

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
    store_history: bool = Field(
        default=True, description="Save every sentiment result to the sentiment_history table."
    )
    timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=600,
        description="Seconds the sentiment agent may take per symbol and decision; the text "
        "model gets 90% of it (then the momentum fallback answers), past it the agent abstains.",
    )
    index_symbol: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        pattern=r"^[A-Z0-9][A-Z0-9.\-^=]*$",
        description="Index (e.g. SPY) whose stored daily bars give the prompt's index move over "
        "1 day and 1 week; unset: the prompt says the index is not configured.",
    )
    reference_volatility: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="Standard deviation of daily returns (0.02 = 2%) above which the "
        "sentiment's confidence is cut: x reference / realised (20 returns), at most halved.",
    )
