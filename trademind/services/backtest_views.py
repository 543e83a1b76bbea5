"""Backtest runs as typed results: a stored run, its trades, its execution options.

What ``backtest run``/``results``/``export`` print with ``--format json`` is
:func:`~trademind.services.json_ready.to_json` of these; the key names and their order are
the field names and their order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trademind.services.backtest_options.execution import describe_exit
from trademind.services.json_ready import json_fields

EXIT_KEYS = ("stop_loss", "take_profit", "trailing_stop")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeRow:
    """One round trip of a run (an open one: exit fields None, ``pnl`` unrealised)."""

    symbol: str
    side: str
    status: str
    """``open`` or ``closed``."""
    quantity: float
    entry_time: datetime
    entry_price: float
    exit_time: datetime | None
    exit_price: float | None
    commission: float
    slippage: float
    pnl: float
    return_pct: float
    bars_held: int
    entry_reason: str
    exit_reason: str | None

    @property
    def is_open(self) -> bool:
        return self.exit_time is None

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> TradeRow:
        """A trade as ``backtest_runs.trades`` keeps it (times as ISO texts)."""
        entry_time = _time(stored["entry_time"])
        if entry_time is None:
            raise ValueError("a stored trade has no entry time")
        return cls(
            symbol=stored["symbol"],
            side=stored["side"],
            status=stored["status"],
            quantity=stored["quantity"],
            entry_time=entry_time,
            entry_price=stored["entry_price"],
            exit_time=_time(stored["exit_time"]),
            exit_price=stored["exit_price"],
            commission=stored["commission"],
            slippage=stored["slippage"],
            pnl=stored["pnl"],
            return_pct=stored["return_pct"],
            bars_held=stored["bars_held"],
            entry_reason=stored["entry_reason"],
            exit_reason=stored["exit_reason"],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionView:
    """What a run used for sizing, exits and entry orders, as the option texts that
    reproduce it (``fraction:25%``, ``3%``, ...); an exit that was not set is None."""

    sizing: str | None
    stop_loss: str | None
    take_profit: str | None
    trailing_stop: str | None
    order: str | None
    time_in_force: str | None
    fill_price: str | None

    def facts(self) -> dict[str, str]:
        """Labelled lines (run summary, ``results``, the report)."""
        exits = [
            f"{key.replace('_', '-')} {getattr(self, key)}"
            for key in EXIT_KEYS
            if getattr(self, key)
        ]
        return {
            "sizing": self.sizing or "n/a",
            "exits": ", ".join(exits) or "none (exit signals only)",
            "entry orders": f"{self.order or 'n/a'}, time in force {self.time_in_force or 'n/a'}",
            "market fills": f"{self.fill_price or 'n/a'} (market entries and exit signals)",
        }


def execution_view(backtest: Mapping[str, Any]) -> ExecutionView:
    """The execution options of a run, read from its stored ``config.backtest``. Runs stored
    before the spec texts existed name their sizing model (``FixedFraction fraction=0.25``)."""
    sizing = backtest.get("sizing")
    sizing_text: str | None = None
    if isinstance(sizing, Mapping):
        fields = " ".join(f"{k}={v}" for k, v in sizing.items() if k not in ("model", "spec"))
        sizing_text = sizing.get("spec") or f"{sizing.get('model')} {fields}".strip()
    exits = {
        key: describe_exit(None if backtest.get(key) is None else float(backtest[key]))
        for key in EXIT_KEYS
    }
    return ExecutionView(
        sizing=sizing_text,
        stop_loss=exits["stop_loss"],
        take_profit=exits["take_profit"],
        trailing_stop=exits["trailing_stop"],
        order=backtest.get("order_spec") or backtest.get("order_type"),
        time_in_force=backtest.get("time_in_force"),
        fill_price=backtest.get("fill_price"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """A stored run: what ran on what, what came out, every trade; ``equity_curve`` (ISO
    time, equity) only when asked for (``export``), and then also in its JSON."""

    id: int | None
    name: str | None
    status: str
    strategy: str
    engine: str | None
    symbols: tuple[str, ...]
    timeframe: str
    start: datetime
    end: datetime
    initial_cash: float
    final_equity: float | None
    params: Mapping[str, Any]
    metrics: Mapping[str, Any]
    """Metric name to value (float, int or None), as :func:`compute_metrics` names them."""
    trades: tuple[TradeRow, ...]
    notices: tuple[str, ...]
    execution: ExecutionView
    config: Mapping[str, Any]
    """The stored configuration document (engine config, data, notices, outcome)."""
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    code_version: str | None
    equity_curve: tuple[tuple[str, float], ...] | None = None

    @property
    def outcome(self) -> Mapping[str, Any]:
        """Order counts, costs, realised/unrealised P&L and the buy-and-hold final equity."""
        outcome = self.config.get("outcome", {})
        return outcome if isinstance(outcome, Mapping) else {}

    def cost_spec(self, name: str) -> str:
        """The ``--commission``/``--slippage`` text the run used (``n/a`` when unknown)."""
        model = self.config.get("backtest", {}).get(name)
        return str(model.get("spec")) if isinstance(model, Mapping) else "n/a"

    def to_json(self) -> dict[str, Any]:
        data = json_fields(self)
        if self.equity_curve is None:
            del data["equity_curve"]
        return data
