"""build_messages: the system prompt with the schema, the few-shot pairs, the formatted market
context and headlines (newest first, capped, truncated), deterministic."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from trademind.agents.sentiment.answer import parse_answer
from trademind.agents.sentiment.port import SentimentResult
from trademind.agents.sentiment.prompt import (
    FEW_SHOTS,
    MAX_HEADLINES,
    MAX_TITLE_CHARS,
    Headline,
    MarketContext,
    build_messages,
    format_headlines,
    format_market_context,
)
from trademind.core.errors import ValidationError

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
CONTEXT = MarketContext(
    last_close=101.5,
    change_1d=0.012,
    change_1w=-0.034,
    change_1m=0.1,
    index_symbol="SPY",
    index_change_1d=-0.004,
    index_change_1w=None,
)


def _headline(title: str, minutes_ago: int = 0, source: str = "Wire") -> Headline:
    return Headline(title=title, source=source, published_at=T0 - timedelta(minutes=minutes_ago))


def test_messages_are_system_then_few_shot_pairs_then_the_request() -> None:
    messages = build_messages("ACME", [_headline("ACME wins contract")], CONTEXT)
    roles = [role for role, _ in messages]
    assert roles == ["system"] + ["user", "assistant"] * len(FEW_SHOTS) + ["user"]
    assert 2 <= len(FEW_SHOTS) <= 3
    system = messages[0][1]
    assert '"key_factors"' in system
    assert '"reasoning"' in system
    assert "exactly one JSON object" in system


def test_every_few_shot_answer_parses_as_a_valid_answer() -> None:
    labels = set()
    for _, (_, answer) in FEW_SHOTS:
        result = parse_answer(answer)
        assert isinstance(result, SentimentResult), result
        labels.add(result.label)
    assert labels == {"positive", "negative", "neutral"}


def test_the_request_has_symbol_horizon_context_headlines_and_the_ask() -> None:
    request = build_messages("ACME", [_headline("ACME wins contract")], CONTEXT, horizon="1w")[-1][
        1
    ]
    assert request == (
        "Symbol: ACME. Horizon: the next week.\n"
        "Market context: ACME last close 101.50; change 1d +1.2%, 1w -3.4%, 1m +10.0%.\n"
        "Index SPY: change 1d -0.4%, 1w n/a.\n"
        "Headlines (newest first):\n"
        "- ACME wins contract (Wire, 2026-03-02 14:30 UTC)\n"
        "Reason step by step, name the key factors, and answer with the JSON object only."
    )


def test_unknown_market_numbers_show_as_na() -> None:
    text = format_market_context("X", MarketContext())
    assert text == (
        "Market context: X last close n/a; change 1d n/a, 1w n/a, 1m n/a.\n"
        "Index SPY: change 1d n/a, 1w n/a."
    )


def test_headlines_are_newest_first_capped_and_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    late = Headline(
        title="Late", source="S", published_at=datetime(2026, 3, 2, 16, 0, tzinfo=paris)
    )
    many = [_headline(f"Old {i:02d}", minutes_ago=100 + i) for i in range(MAX_HEADLINES + 5)]
    lines = format_headlines([*many, late])
    assert len(lines) == MAX_HEADLINES
    assert lines[0] == "- Late (S, 2026-03-02 15:00 UTC)"
    assert lines[1].startswith("- Old 00 ")
    assert all("Old 19" not in line for line in lines)


def test_long_titles_are_truncated_and_whitespace_collapsed() -> None:
    (line,) = format_headlines([_headline("word  \n" + "x" * 500)])
    title = line[2 : line.index(" (Wire")]
    assert len(title) == MAX_TITLE_CHARS
    assert title.startswith("word xxx")
    assert title.endswith("...")


def test_output_is_deterministic_whatever_the_input_order() -> None:
    headlines = [_headline("B", 5), _headline("A", 5), _headline("C", 1)]
    first = build_messages("ACME", headlines, CONTEXT)
    second = build_messages("ACME", list(reversed(headlines)), CONTEXT)
    assert first == second
    assert json.loads(first[2][1])["sentiment"] == "positive"


@pytest.mark.parametrize(
    ("symbol", "headlines", "message"),
    [
        ("", [_headline("x")], "sentiment prompt needs a symbol"),
        ("ACME", [], "sentiment prompt for ACME needs at least one headline"),
    ],
)
def test_no_symbol_or_no_headlines_is_a_clear_error(
    symbol: str, headlines: list[Headline], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        build_messages(symbol, headlines, CONTEXT)


def test_a_naive_headline_time_is_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Headline(title="x", source="s", published_at=datetime(2026, 1, 1))
