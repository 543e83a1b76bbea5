"""The sentiment prompt: a system message, few-shot examples, the market context and headlines.

:func:`build_messages` is deterministic (same inputs, same messages) and returns
``(role, content)`` pairs in this order (docs/ai.md, "Sentiment answers"):

1. ``system``: the analyst's role, the JSON schema (:data:`SCHEMA_TEXT`) and the rules;
2. the few-shot pairs of :data:`FEW_SHOTS`, each a ``user`` message and the ``assistant``'s JSON;
3. ``user``: the symbol and horizon, the market context (the symbol's last close and its 1-day,
   1-week and 1-month changes, the index's 1-day and 1-week changes, as signed percentages with
   one decimal, "n/a" when unknown), the headlines (newest first, at most :data:`MAX_HEADLINES`,
   each title cut to :data:`MAX_TITLE_CHARS` with "..." and followed by its source and UTC time),
   and the request to reason step by step and name the key factors in the JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from trademind.core.errors import ValidationError

type Role = Literal["system", "user", "assistant"]
type Message = tuple[Role, str]
type Horizon = Literal["1d", "1w", "1m"]

MAX_HEADLINES: Final = 15
MAX_TITLE_CHARS: Final = 200
HORIZON_WORDS: Final[dict[Horizon, str]] = {
    "1d": "the next trading day",
    "1w": "the next week",
    "1m": "the next month",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Headline:
    """One news headline as the prompt shows it."""

    title: str
    source: str
    published_at: datetime

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:
            raise ValidationError(f"headline time must be timezone-aware: {self.title[:60]!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketContext:
    """Recent price action, as fractions (0.012 = +1.2%); ``None`` when unknown."""

    last_close: float | None = None
    change_1d: float | None = None
    change_1w: float | None = None
    change_1m: float | None = None
    index_symbol: str = "SPY"
    index_change_1d: float | None = None
    index_change_1w: float | None = None


SCHEMA_TEXT: Final = """{
  "sentiment": "positive" | "negative" | "neutral",
  "score": number from -1 (very negative) to 1 (very positive),
  "confidence": number from 0 (no confidence) to 1 (certain),
  "key_factors": [up to 10 short phrases, each under 120 characters],
  "reasoning": "your step-by-step reasoning"
}"""

SYSTEM_PROMPT: Final = (
    "You are a financial news analyst. You judge what the given headlines mean for the "
    "stock's price over the stated horizon, taking the recent price action and the index's "
    "move into account.\n"
    "Answer with exactly one JSON object and nothing else, in this schema:\n"
    f"{SCHEMA_TEXT}\n"
    "Rules: the score's sign must agree with the sentiment (neutral: score near 0). "
    "Base the answer only on the headlines and numbers given. If the headlines say nothing "
    "about the stock's prospects, answer neutral with a low confidence."
)


def _shot(user: str, answer: dict[str, object]) -> tuple[Message, Message]:
    return ("user", user), ("assistant", json.dumps(answer))


FEW_SHOTS: Final[tuple[tuple[Message, Message], ...]] = (
    _shot(
        "Symbol: ACME. Horizon: the next trading day.\nHeadlines:\n"
        "- ACME quarterly revenue tops forecasts, lifts full-year outlook (Newswire, 2024-05-02)",
        {
            "sentiment": "positive",
            "score": 0.7,
            "confidence": 0.8,
            "key_factors": ["revenue above forecasts", "full-year outlook raised"],
            "reasoning": "1. Revenue beat expectations. 2. Management raised guidance, which "
            "markets usually reward. 3. Nothing offsets it, so positive.",
        },
    ),
    _shot(
        "Symbol: BOLT. Horizon: the next week.\nHeadlines:\n"
        "- Regulator opens probe into BOLT accounting (Daily Ledger, 2024-03-11)\n"
        "- BOLT finance chief departs unexpectedly (Daily Ledger, 2024-03-12)",
        {
            "sentiment": "negative",
            "score": -0.75,
            "confidence": 0.75,
            "key_factors": ["regulatory accounting probe", "sudden CFO departure"],
            "reasoning": "1. An accounting probe raises legal and restatement risk. 2. The CFO "
            "leaving at the same time adds to the doubt. 3. Both point down.",
        },
    ),
    _shot(
        "Symbol: CORE. Horizon: the next month.\nHeadlines:\n"
        "- CORE to present at industry conference next Tuesday (Market Wire, 2024-06-03)",
        {
            "sentiment": "neutral",
            "score": 0.0,
            "confidence": 0.6,
            "key_factors": ["routine conference appearance"],
            "reasoning": "1. A scheduled presentation carries no news about earnings or risk. "
            "2. Nothing else is reported, so neutral.",
        },
    ),
)


def build_messages(
    symbol: str,
    headlines: Sequence[Headline],
    market_context: MarketContext,
    *,
    horizon: Horizon = "1d",
) -> list[Message]:
    """The chat messages asking for ``symbol``'s sentiment; raises on no symbol or no headlines."""
    if not symbol.strip():
        raise ValidationError("sentiment prompt needs a symbol")
    if not headlines:
        raise ValidationError(f"sentiment prompt for {symbol} needs at least one headline")
    messages: list[Message] = [("system", SYSTEM_PROMPT)]
    for question, answer in FEW_SHOTS:
        messages.extend((question, answer))
    messages.append(("user", _request(symbol, headlines, market_context, horizon)))
    return messages


def build_text_messages(
    text: str,
    *,
    symbol: str | None = None,
    facts: Mapping[str, str] | None = None,
    horizon: Horizon = "1d",
) -> list[Message]:
    """The chat messages asking for the sentiment of one free ``text`` (a headline or a
    sentence of a labelled file): the same system message and few-shot pairs as
    :func:`build_messages`, then ``Symbol: <symbol or "not given">. Horizon: ...``, each fact
    as ``<name>: <value>`` and the text after ``Text:``; raises on an empty text."""
    if not text.strip():
        raise ValidationError("sentiment prompt needs a text")
    messages: list[Message] = [("system", SYSTEM_PROMPT)]
    for question, answer in FEW_SHOTS:
        messages.extend((question, answer))
    lines = [f"Symbol: {symbol or 'not given'}. Horizon: {HORIZON_WORDS[horizon]}."]
    lines.extend(f"{name}: {value}" for name, value in sorted((facts or {}).items()))
    lines.extend([
        f"Text: {' '.join(text.split())}",
        "Reason step by step, name the key factors, and answer with the JSON object only.",
    ])  # fmt: skip
    messages.append(("user", "\n".join(lines)))
    return messages


def _request(
    symbol: str, headlines: Sequence[Headline], context: MarketContext, horizon: Horizon
) -> str:
    return "\n".join(
        [
            f"Symbol: {symbol}. Horizon: {HORIZON_WORDS[horizon]}.",
            format_market_context(symbol, context),
            "Headlines (newest first):",
            *format_headlines(headlines),
            "Reason step by step, name the key factors, and answer with the JSON object only.",
        ]
    )


def format_market_context(symbol: str, context: MarketContext) -> str:
    """The market context lines, e.g. ``ACME last close 101.50; change 1d +1.2%, ...``."""
    close = "n/a" if context.last_close is None else f"{context.last_close:.2f}"
    return (
        f"Market context: {symbol} last close {close}; change 1d {_pct(context.change_1d)}, "
        f"1w {_pct(context.change_1w)}, 1m {_pct(context.change_1m)}.\n"
        f"Index {context.index_symbol}: change 1d {_pct(context.index_change_1d)}, "
        f"1w {_pct(context.index_change_1w)}."
    )


def format_headlines(headlines: Sequence[Headline]) -> list[str]:
    """Newest first (ties by title), at most :data:`MAX_HEADLINES`, titles truncated."""
    ordered = sorted(headlines, key=lambda h: (-_epoch(h.published_at), h.title))
    return [_headline_line(h) for h in ordered[:MAX_HEADLINES]]


def _headline_line(headline: Headline) -> str:
    title = " ".join(headline.title.split())
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 3].rstrip() + "..."
    when = headline.published_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"- {title} ({headline.source}, {when})"


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"
