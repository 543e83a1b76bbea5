"""`trademind agents decisions`: the account's latest decisions, each explained by its votes.

A table of the decisions (newest first); with ``--symbol`` and ``--limit`` at most
:data:`VOTES_LIMIT`, each decision's votes after it (agent, direction or abstention, score,
confidence, weight, source, key factors, reasoning). ``--format json``: everything. No decision
(or no account yet): "no decisions", exit 0. An unknown account exits 1; a bad ``--action`` or
``--limit`` 2. See docs/agents.md, "The decision log".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

import typer

from trademind.cli.ledger_output import AccountOption, ledger_command, show_json, when
from trademind.cli.output import print_message, print_table
from trademind.cli.trades import SymbolOption

if TYPE_CHECKING:
    from trademind.services.decision_chain import DecisionView, VoteView
    from trademind.services.decision_list import DecisionList

VOTES_LIMIT: Final = 5
"""With ``--symbol`` and at most this many decisions, the text output shows their votes."""
_ACTION_HELP = "Only decisions with this action: buy, sell or hold."


def decisions(
    ctx: typer.Context,
    symbol: SymbolOption = None,
    action: Annotated[str | None, typer.Option("--action", help=_ACTION_HELP)] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=1000, help="How many, newest first (1..1000).")
    ] = 20,
    account: AccountOption = None,
) -> None:
    """The account's latest decisions from the decision log, each explained by its votes."""
    from trademind.services.decision_list import recent_decisions

    with ledger_command(ctx) as command:
        listed = recent_decisions(
            command.database, command.clock, account, symbol=symbol, action=action, limit=limit
        )
    if command.json:
        show_json(listed)
        return
    _print(listed, votes=symbol is not None and limit <= VOTES_LIMIT)


def register(app: typer.Typer) -> None:
    """Add `decisions` to the `agents` group ``app``."""
    app.command("decisions")(decisions)


def _print(listed: DecisionList, *, votes: bool) -> None:
    scope = "".join(f" {part}" for part in (listed.symbol, listed.action) if part is not None)
    if not listed.decisions:
        owner = "" if listed.account is None else f" of {listed.account}"
        print_message(f"no decisions{scope}{owner}")
        return
    columns = ("time (UTC)", "symbol", "action", "score", "confidence", "vetoed", "variant")
    rows = [_row(decision) for decision in listed.decisions]
    title = f"Decisions{scope} of {listed.account}, newest first"
    print_table(title, (*columns, "explanation"), rows)
    if votes:
        for decision in listed.decisions:
            _print_votes(decision)


def _row(decision: DecisionView) -> tuple[str, ...]:
    score = "none" if decision.score is None else f"{decision.score:+.2f}"
    vetoed = (decision.veto_reason or "yes") if decision.vetoed else "no"
    return (
        when(decision.decided_at), decision.symbol or "", decision.action, score,
        f"{decision.confidence:.2f}", vetoed, decision.variant or "", decision.explanation,
    )  # fmt: skip


def _print_votes(decision: DecisionView) -> None:
    print_message(f"Votes of {decision.action} {decision.symbol} at {when(decision.decided_at)}:")
    for vote in decision.votes:
        print_message(f"  {vote.agent}: {_vote_text(vote)}")


def _vote_text(vote: VoteView) -> str:
    """One vote: direction, score, confidence, weight, source, key factors and reasoning."""
    factors = f"; factors: {', '.join(vote.key_factors)}" if vote.key_factors else ""
    if vote.direction is None:
        return f"abstains (weight {vote.weight:g}, {vote.source}): {vote.reasoning}"
    score = "" if vote.score is None else f" {vote.score:+.2f}"
    confidence = "" if vote.confidence is None else f", confidence {vote.confidence:.2f}"
    return (
        f"{vote.direction}{score}{confidence}, weight {vote.weight:g}, {vote.source}{factors}: "
        f"{vote.reasoning}"
    )
