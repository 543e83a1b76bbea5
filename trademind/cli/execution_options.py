"""The execution options ``backtest run``, ``strategies backtest`` and ``trade`` share, declared
once: slippage, commission, sizing, stop-loss, take-profit, trailing stop, entry order and its
time in force.

A command takes them as one parameter ``execution: ExecutionOptions`` and is decorated with
:func:`with_execution_options`, which shows Typer the eight options in that parameter's place
and hands the command the texts given (``None``: not given) as one :class:`ExecutionOptions`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Annotated, Final, Literal

import typer

Slippage = Annotated[
    str | None,
    typer.Option(help="none, 5bps or atr:0.1[,period=14]. Default: backtest.slippage_bps."),
]
Commission = Annotated[
    str | None,
    typer.Option(
        help="none, 0.1%, ibkr or per-share:0.005[,min=1,max=0.01]. Default: the backtest settings."
    ),
]
Sizing = Annotated[
    str | None,
    typer.Option(
        help="all-in (default), cash:10000, fraction:10%, volatility:1%[,period=14][,max=50%]"
        "[,source=atr|std] or kelly:win=55%,payoff=1.5[,cap=25%]."
    ),
]
StopLoss = Annotated[str | None, typer.Option(help="Exit at this loss from entry, e.g. 5%.")]
TakeProfit = Annotated[str | None, typer.Option(help="Exit at this gain from entry, e.g. 10%.")]
TrailingStop = Annotated[
    str | None, typer.Option(help="Exit this far below the highest high since entry, e.g. 8%.")
]
Order = Annotated[
    str | None,
    typer.Option(
        help="Entry order: market (default), limit:1% (below the signal close), stop:1% "
        "(above it) or stop-limit:1%,0.5%."
    ),
]
TimeInForce = Annotated[
    Literal["day", "gtc"] | None, typer.Option(help="Entry orders: day (default) or gtc.")
]

_TYPES = {
    "slippage": Slippage,
    "commission": Commission,
    "sizing": Sizing,
    "stop_loss": StopLoss,
    "take_profit": TakeProfit,
    "trailing_stop": TrailingStop,
    "order": Order,
    "time_in_force": TimeInForce,
}


@dataclass(frozen=True)
class ExecutionOptions:
    """The execution option texts as given on the command line (``None``: not given)."""

    slippage: str | None = None
    commission: str | None = None
    sizing: str | None = None
    stop_loss: str | None = None
    take_profit: str | None = None
    trailing_stop: str | None = None
    order: str | None = None
    time_in_force: str | None = None

    def texts(self) -> dict[str, str | None]:
        """The sizing, exit and entry-order texts (the services' ``execution`` mapping; the
        slippage and commission texts travel apart)."""
        costs = ("slippage", "commission")
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in costs}


NONE_GIVEN: Final = ExecutionOptions()
"""The ``execution`` parameter's default (the decorator always passes the options given)."""


def with_execution_options[**P, R](command: Callable[P, R]) -> Callable[..., R]:
    """``command`` with its ``execution`` parameter shown to Typer as the eight options."""
    signature = inspect.signature(command, eval_str=True)
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in _TYPES.items()
    ]
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == "execution":
            parameters.extend(options)
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        given = {name: kwargs.pop(name, None) for name in _TYPES}
        kwargs["execution"] = ExecutionOptions(**given)  # type: ignore[arg-type]
        return command(*args, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return wrapper
