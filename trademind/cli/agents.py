"""`trademind agents`: AI agents: the decision log, LLM costs, the sentiment models' evaluation,
the strategy-selection agent's walk-forward test.

`eval-sentiment`, `decisions`, `sentiment` and `select-strategy` live in modules of their own
(``agents_eval``, ``agents_decisions``, ``agents_sentiment``, ``agents_select``) and are added
here. Exit codes: 0 on success; 2 for a usage error (a missing file, a model that cannot score
texts, a bad option or symbol); 1 for a failure (a labelled file that breaks the rules, no API
key, an unknown account, the database, too little data).
"""

from __future__ import annotations

from typing import Annotated

import typer

from trademind.cli import agents_decisions, agents_eval, agents_select, agents_sentiment
from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table

HELP = (
    "AI agents: decisions and votes, LLM costs, news sentiment, sentiment and "
    "strategy-selection evaluation."
)

app = typer.Typer(help=HELP, no_args_is_help=True)
agents_eval.register(app)
agents_decisions.register(app)
agents_select.register(app)
agents_sentiment.register(app)


def _usd(value: object) -> str:
    return f"${value:,.4f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} ms"


@app.command("costs")
def costs(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option(min=1, max=3660, help="UTC days to cover, today included.")
    ] = 7,
) -> None:
    """LLM cost per UTC day and model, calls by outcome, tokens, latency p50/p95."""
    from trademind.services.llm_costs import costs_report

    state = get_state(ctx)
    with state.open_database() as database:
        report = costs_report(database, state.parts.clock, days)
    if state.json:
        print_json(report)
        return
    rows = [
        (r.day.isoformat(), r.model, r.calls, _usd(r.cost_usd), r.unpriced, r.tokens_in,
         r.tokens_out)
        for r in report.rows
    ]  # fmt: skip
    title = f"LLM costs since {report.start.isoformat()} (UTC, {report.days} days)"
    columns = ("day", "model", "calls", "cost", "unpriced", "tokens in", "tokens out")
    print_table(title, columns, rows)
    print_table("calls by outcome", ("outcome", "calls"), list(report.outcomes.items()))
    print_message(
        f"total: {report.calls} calls, {_usd(report.cost_usd)}, {report.tokens_in} tokens in, "
        f"{report.tokens_out} out; latency p50 {_ms(report.latency_p50_ms)}, "
        f"p95 {_ms(report.latency_p95_ms)}"
    )
