"""The execution options are declared once: `backtest run`, `strategies backtest` and `trade`
show the same options with the same help, and hand the command what was given."""

from __future__ import annotations

import click
import typer

from trademind.cli import backtest, strategies, trade
from trademind.cli.execution_options import ExecutionOptions, with_execution_options

NAMES = ("slippage", "commission", "sizing", "stop_loss", "take_profit", "trailing_stop",
         "order", "time_in_force")  # fmt: skip


def _options(command: click.Command) -> dict[str, tuple[tuple[str, ...], str | None]]:
    return {p.name: (tuple(p.opts), getattr(p, "help", None)) for p in command.params if p.name}


def _command(app: typer.Typer, name: str) -> click.Command:
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    found = group.commands[name]
    return found


def test_the_three_commands_share_the_execution_options() -> None:
    commands = [_command(backtest.app, "run"), _command(strategies.app, "backtest"),
                trade.command()]  # fmt: skip
    shown = [{name: _options(c)[name] for name in NAMES} for c in commands]
    assert shown[0] == shown[1] == shown[2]
    assert shown[0]["stop_loss"] == (("--stop-loss",), "Exit at this loss from entry, e.g. 5%.")


def test_the_command_gets_the_texts_given() -> None:
    app = typer.Typer()
    got: list[ExecutionOptions] = []

    @app.command()
    @with_execution_options
    def run(name: str, execution: ExecutionOptions = ExecutionOptions()) -> None:  # noqa: B008
        got.append(execution)

    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["x", "--sizing", "cash:10", "--slippage", "none"])
    assert result.exit_code == 0, result.output
    assert got == [ExecutionOptions(slippage="none", sizing="cash:10")]
    texts = got[0].texts()
    assert texts.pop("sizing") == "cash:10"
    assert set(texts) == {"stop_loss", "take_profit", "trailing_stop", "order", "time_in_force"}
    assert set(texts.values()) == {None}
