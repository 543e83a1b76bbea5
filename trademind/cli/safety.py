"""`trademind safety`: Safety layer: limits, circuit breakers, emergency stop.

Every command takes ``--account`` (default: the most recently used account; none at all or an
unknown name: exit 1 saying what to do) and ``--format json``. Exit codes: 0 on success; 2 for
a usage error (an unknown option, a blank or too long ``--reason``, a value that is not a
number or percentage, out of its range, or settings that would contradict each other, an
emergency stop without confirmation from a non-terminal); 1 for a failure (no such account, a
reset of an account that is already active, a declined prompt, a config file that cannot be
read or written).

`safety set` has one option per safety setting, generated from
:class:`~trademind.config.sections_trading.SafetySettings`: a setting added there is an option
here (``--circuit-breaker-max-drawdown`` for ``safety.circuit_breaker.max_drawdown``).

`safety backtest` and `safety validate` (replays and validations on history, no account) live
in :mod:`trademind.cli.safety_history`.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trademind.cli import safety_history
from trademind.cli.confirm import confirm_destruction
from trademind.cli.context import get_state
from trademind.cli.ledger_output import AccountOption, ledger_command, price, quantity, when
from trademind.cli.output import print_json, print_message, print_table
from trademind.cli.remote import print_remote_change, running_server
from trademind.services.safety_limits import settable_settings

if TYPE_CHECKING:
    from trademind.services.safety_limits import SafetyLimits
    from trademind.services.safety_service import StateChangeResult, StateChangeView
    from trademind.web.client import ServerClient

HELP = "Safety layer: limits, circuit breakers, emergency stop."

app = typer.Typer(help=HELP, no_args_is_help=True)

ReasonOption = Annotated[
    str,
    typer.Option("--reason", "-r", help="Why (recorded with the change; up to 500 characters)."),
]


def _actor() -> str:
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name known to the system
        user = "unknown"
    return f"cli:{user}"[:64]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _settings_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in settings.items()) or "-"


def _events_table(title: str, events: tuple[StateChangeView, ...]) -> None:
    if not events:
        print_message(f"{title}: none recorded")
        return
    rows = [
        (when(e.at), e.event, f"{e.from_state} -> {e.to_state}", e.actor, e.reason) for e in events
    ]
    print_table(title, ("at (UTC)", "event", "state", "actor", "reason"), rows)


def _limits_table(view: SafetyLimits) -> None:
    rows = [
        (
            rule.rule,
            "enabled" if rule.enabled else f"disabled: {rule.off_because}",
            "yes" if rule.applies_to_reducing else "no",
            _settings_text(rule.settings),
        )
        for rule in view.rules
    ]
    print_table(
        "Pre-trade rules (in chain order)",
        ("rule", "status", "checks reducing orders", "settings"),
        rows,
    )


@app.command("status")
def status(ctx: typer.Context, account: AccountOption = None) -> None:
    """Safety status: trading state, limits in force, latest state changes."""
    from trademind.services import safety_service

    state = get_state(ctx)
    safety = state.load_settings().safety
    with ledger_command(ctx) as command:
        view = safety_service.status(command.database, command.clock, account, safety)
    if command.json:
        print_json(view)
        return
    since = "never changed" if view.since is None else f"since {when(view.since)} UTC"
    by = "" if view.actor is None else f", by {view.actor}: {view.reason}"
    print_message(f"Account {view.account.name}: trading is {view.state} ({since}{by})")
    trades = view.day_trades
    left = "no limit" if trades.remaining is None else f"{trades.remaining} remaining"
    print_message(
        f"Day trades: {trades.used} in the last {trades.window_days} sessions, {left} "
        f"({trades.why}; {trades.allowed} allowed under the pattern day trader rule)"
    )
    _limits_table(view.limits)
    _events_table("Latest state changes", view.events)
    if view.settings_changes:
        rows = [
            (when(c.at), c.key, c.old_value, c.new_value, c.source) for c in view.settings_changes
        ]
        print_table("Latest safety settings changes", ("at (UTC)", "key", "old", "new", "by"), rows)


@app.command("limits")
def limits(ctx: typer.Context, account: AccountOption = None) -> None:
    """Show the risk limits in force: every pre-trade rule and its settings."""
    from trademind.services import safety_limits, safety_service

    state = get_state(ctx)
    safety = state.load_settings().safety
    with ledger_command(ctx) as command:
        safety_service.resolve_account(command.database, command.clock, account)
    view = safety_limits.limits(safety)
    if command.json:
        print_json(view)
        return
    _limits_table(view)


@app.command("emergency-stop")
def emergency_stop(
    ctx: typer.Context,
    reason: ReasonOption,
    liquidate: Annotated[
        bool, typer.Option("--liquidate", help="Also close every position once halted.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    account: AccountOption = None,
) -> None:
    """Stop all trading now (options: --reason, --liquidate, --yes)."""
    from trademind.services import safety_service

    safety_service.check_reason(reason)
    with ledger_command(ctx) as command:
        info = safety_service.resolve_account(command.database, command.clock, account)
        what = "halts all trading" + (" and liquidates every position" if liquidate else "")
        confirm_destruction(
            f"of account {info.name} {what}", yes=yes, command="safety emergency-stop"
        )
        remote = running_server(get_state(ctx))
        if remote is not None:
            body = {"account": info.name, "reason": reason, "liquidate": liquidate}
            answer = remote.post("/api/v1/safety/emergency-stop", body)
            _print_remote_stop(command.json, remote, answer)
            return
        result = safety_service.emergency_stop(
            command.database,
            command.clock,
            info.name,
            reason=reason,
            liquidate=liquidate,
            actor=_actor(),
        )
    if command.json:
        print_json(result)
        return
    _print_change(result)
    then = "cancels working orders" + (" and liquidates every position" if liquidate else "")
    print_message(
        f"A running `trade` process for {result.account.name} sees HALTED within a second and "
        f"{then}; a stopped session does it when resumed."
    )


@app.command("reset-circuit-breaker")
def reset_circuit_breaker(
    ctx: typer.Context, reason: ReasonOption, account: AccountOption = None
) -> None:
    """Reset a tripped circuit breaker or an emergency stop: trading back to active."""
    from trademind.services import safety_service

    safety_service.check_reason(reason)
    with ledger_command(ctx) as command:
        result = safety_service.reset(
            command.database, command.clock, account, reason=reason, actor=_actor()
        )
    if command.json:
        print_json(result)
        return
    _print_change(result)


def _print_change(result: StateChangeResult) -> None:
    change = result.change
    print_message(
        f"Account {result.account.name}: {change.event} recorded at {when(change.at)} UTC: "
        f"{change.from_state} -> {change.to_state} (by {change.actor}: {change.reason})"
    )


@app.command("circuit-breaker")
def circuit_breaker(ctx: typer.Context, account: AccountOption = None) -> None:
    """Circuit breakers: settings, evaluation on the stored data, trips so far."""
    from trademind.services import safety_risk

    state = get_state(ctx)
    safety = state.load_settings().safety
    with ledger_command(ctx) as command:
        view = safety_risk.circuit_breakers(command.database, command.clock, account, safety)
    if command.json:
        print_json(view)
        return
    enabled = "enabled" if view.enabled else "disabled (evaluated for information only)"
    print_message(
        f"Circuit breakers of {view.account.name} as of {when(view.as_of)} UTC: {enabled}"
    )
    rows = [
        (
            item.breaker,
            _settings_text(item.settings),
            _breaker_value(item.value, item.unit),
            "TRIPPED" if item.tripped else "no",
            item.requested_state or "",
            item.reason,
        )
        for item in view.breakers
    ]
    print_table(None, ("breaker", "settings", "value", "tripped", "asks for", "reason"), rows)
    _events_table("Trips and resets", view.history)


def _breaker_value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return _pct(value) if unit == "fraction" else f"{value:g}"


@app.command("heat")
def heat(ctx: typer.Context, account: AccountOption = None) -> None:
    """Portfolio heat: each position's risk to its stop, the total against the limit."""
    from trademind.services import safety_risk

    state = get_state(ctx)
    safety = state.load_settings().safety
    with ledger_command(ctx) as command:
        view = safety_risk.portfolio_heat(command.database, command.clock, account, safety)
    if command.json:
        print_json(view)
        return
    rows = [
        (
            p.symbol,
            quantity(p.quantity),
            price(p.price),
            price(p.stop),
            p.stop_source,
            f"{p.risk:,.2f}",
            _pct(p.risk_pct_of_equity),
        )
        for p in view.positions
    ]
    title = f"Heat of {view.account.name} as of {when(view.as_of)} UTC"
    print_table(
        title, ("symbol", "quantity", "price", "stop", "stop from", "risk", "of equity"), rows
    )
    verdict = "ABOVE the limit" if view.over_limit else "within the limit"
    print_message(
        f"total risk {view.total_risk:,.2f} = heat {_pct(view.heat)} of equity "
        f"{view.equity:,.2f}; max_portfolio_heat {_pct(view.max_portfolio_heat)}: {verdict}"
    )


def _print_remote_stop(json: bool, remote: ServerClient, answer: dict[str, Any]) -> None:
    if json:
        print_json(answer)
        return
    change = answer["change"]
    print_message(
        f"{answer['account']['name']}: {change['from_state']} -> {change['to_state']} by the "
        f"running server (pid {remote.state.pid}); its trading loop halts within a second"
    )


def _set(ctx: typer.Context, **options: str | None) -> None:
    from trademind.services import safety_limits

    state = get_state(ctx)
    given = {name: value for name, value in options.items() if value is not None}
    remote = running_server(state)
    if remote is not None:
        body = remote.put("/api/v1/safety/settings", {"settings": given})
        print_remote_change(state, remote, body, "safety set")
        return
    change = safety_limits.set_safety(given, state.config_path, clock=state.parts.clock)
    report = change.report
    if state.json:
        print_json(change)
        return
    if not report.written:
        print_message(f"safety set: {report.file} already says so; nothing changed")
        return
    print_message(f"safety set: wrote {report.file}")
    rows = [(item.key, item.old_value, item.new_value) for item in report.changes]
    print_table(None, ("key", "old", "new"), rows)
    for key, source in report.overridden:
        print_message(f"note: {key} is also set by {source}, which takes precedence")


def _set_signature() -> inspect.Signature:
    """``ctx`` and one ``--option`` per safety setting (see the module docstring)."""
    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    for setting in settable_settings():
        percent = " Also as a percentage (2%)." if setting.fraction else ""
        allowed = f" Allowed: {setting.allowed}." if setting.allowed else ""
        option = typer.Option(
            setting.option,
            help=f"{setting.key}: {setting.description}{allowed}{percent}",
            show_default=False,
        )
        parameters.append(
            inspect.Parameter(
                setting.param_name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[str | None, option],
            )
        )
    return inspect.Signature(parameters)


_set.__signature__ = _set_signature()  # type: ignore[attr-defined]
_set.__annotations__ = {
    name: parameter.annotation
    for name, parameter in _set.__signature__.parameters.items()  # type: ignore[attr-defined]
}
app.command(
    "set",
    help="Change risk limits (e.g. --max-positions 8 --daily-loss-limit 2%). Each value is "
    "checked against its range and the settings as a whole before the config file is written "
    "(atomically, one config_changes row per changed key).",
    short_help="Change risk limits (e.g. --max-positions).",
)(_set)

app.command("backtest")(safety_history.backtest)
app.command("validate")(safety_history.validate)
