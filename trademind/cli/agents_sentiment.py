"""`trademind agents sentiment SYMBOL [--history] [--limit N]`: a symbol's news sentiment.

Without ``--history``: the sentiment agent asked now (wall clock) with the stored news and
daily bars and the configured text model (``sentiment.model``); prints the label, score,
confidence, source (``fallback`` when the LLM gave no answer, with the reason), key factors,
notes, reasoning and cost, or the abstention and its reason; stored in ``sentiment_history``
when ``sentiment.store_history``. With ``--history``: the stored readings of the symbol, newest
first (``--limit``, default 20). ``--format json``: the reading(s) in full. A bad symbol or
``--limit`` exits 2 with one line. See docs/ai.md, "The sentiment agent".
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table

if TYPE_CHECKING:
    from trademind.core.sentiment_history import SentimentReading


def sentiment(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="The symbol, e.g. AAPL.")],
    history: Annotated[
        bool, typer.Option("--history", help="List the stored readings instead, newest first.")
    ] = False,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="With --history: how many (1..10000).")
    ] = 20,
) -> None:
    """A symbol's news sentiment now (stored news, the configured model), or its history."""
    from trademind.services import sentiment_service

    state = get_state(ctx)
    if history:
        with state.open_database() as database:
            readings = sentiment_service.sentiment_history(database, symbol, limit)
        if state.json:
            print_json({"symbol": symbol.upper(), "readings": [asdict(r) for r in readings]})
        else:
            _print_history(symbol.upper(), readings)
        return
    settings = state.load_settings()
    with state.open_database() as database:
        now = sentiment_service.sentiment_now(
            database, settings, state.parts.clock, state.cache(), symbol
        )
    if state.json:
        print_json({**asdict(now.reading), "summary": now.summary, "cached_from": now.cached_from})
        return
    _print_now(now.reading, now.summary)


def register(app: typer.Typer) -> None:
    """Add `sentiment` to the `agents` group ``app``."""
    app.command("sentiment")(sentiment)


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _print_now(reading: SentimentReading, summary: str) -> None:
    print_message(f"{reading.symbol} at {reading.decided_at:%Y-%m-%d %H:%M} UTC: {summary}")
    if reading.abstained:
        return
    rows = [
        ("label", reading.label or "-"),
        ("score", _num(reading.score, "+.2f")),
        ("confidence", _num(reading.confidence, ".2f")),
        ("source", reading.source),
        ("model", reading.model),
        ("news items", str(reading.news_count)),
        ("cost (USD)", f"{reading.cost_usd:.4f}"),
    ]
    print_table("Sentiment", ("field", "value"), rows)
    if reading.key_factors:
        print_table("Key factors", ("factor",), [(f,) for f in reading.key_factors])
    if reading.notes:
        print_table("Notes", ("note",), [(n,) for n in reading.notes])
    print_message(reading.reasoning)


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _print_history(symbol: str, readings: list[SentimentReading]) -> None:
    if not readings:
        print_message(f"no sentiment history for {symbol}")
        return
    rows = [
        (
            f"{r.decided_at:%Y-%m-%d %H:%M}",
            r.source,
            r.label or "abstained",
            _num(r.score, "+.2f"),
            _num(r.confidence, ".2f"),
            f"{r.cost_usd:.4f}",
            _short(r.abstention_reason or "; ".join(r.key_factors[:3])),
        )
        for r in readings
    ]
    columns = ("decided (UTC)", "source", "label", "score", "conf.", "cost", "why")
    print_table(f"Sentiment history of {symbol} (newest first)", columns, rows)
