"""The reference engine: the same strategy signals run through backtrader (optional extra).

``uv sync --extra backtrader`` (or ``pip install 'trademind[backtrader]'``) installs it.
:func:`run_backtrader` takes what the native :func:`~trademind.backtest.engine.run.run_backtest`
takes and returns the same :class:`~trademind.backtest.engine.outcome.BacktestOutcome`.

The rules stay one definition: the caller computes the signals with the strategy's own
``signals()``; they reach backtrader as two extra data lines (``entry``, ``exit``). Semantics
follow the native engine's contract (``trademind.backtest.engine.run``):

* an intent forms at the CLOSE of bar ``t`` (``next``) and becomes a market order filled at the
  OPEN of the symbol's next bar. Cheat-on-open (``Cerebro(cheat_on_open=True)``, the broker's
  ``coo``) sizes and submits it in ``next_open``, when that open is known, and the broker fills
  it at that same open: all-in is then exact, ``cash / (price * (1 + rate))``, fractional;
* percentage commission is backtrader's own (``broker.setcommission(commission=rate)``, 0.001 =
  0.1%), per-share (IBKR) commission a small ``CommInfoBase``; fixed-bps slippage is the
  broker's ``slip_perc`` on market orders at the open (``slip_open``), capped at the bar's high
  (buys) or low (sells) by ``slip_match`` without ``slip_out``, as the native model clamps it;
* long-only: an entry when flat buys, an exit when long sells it all; several symbols share the
  cash and go in the order given, each selling before buying, as in the native loop.

Margin checks stay on: a buy's quantity is lowered by a few ulps until backtrader's own cash
arithmetic leaves cash >= 0, so float rounding never turns into a rejected order, and any order
backtrader does not fill in full raises :class:`BacktraderRunError` (never a silent gap).
Everything else the native engine offers (other order types and sizings, latency, stops, close
fills, volume caps) is refused with a ValidationError naming it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trademind.backtest.engine.config import BacktestConfig
from trademind.core.errors import TradeMindError, ValidationError
from trademind.fills.commission import PercentageCommission, PerShareCommission
from trademind.fills.slippage import FixedBpsSlippage, NoSlippage

if TYPE_CHECKING:
    import pandas as pd

    from trademind.backtest.engine.outcome import BacktestOutcome
    from trademind.strategies.base import Bars, Signals

BUY = 1
SELL = -1


class BacktraderUnavailableError(TradeMindError):
    """The optional backtrader extra is not installed."""


class BacktraderRunError(TradeMindError):
    """backtrader did not execute an order the signals asked for, as asked."""


@dataclass(frozen=True)
class BtFill:
    """One executed order as backtrader reports it (bars: indexes into the symbol's bars)."""

    symbol: str
    bar: int
    signal_bar: int
    side: int
    quantity: float
    price: float
    commission: float
    rule_price: float
    """The open the order filled at before slippage."""


@dataclass(frozen=True)
class BtRun:
    """What one cerebro run produced (``equity``/``cash`` after every timestamp)."""

    fills: tuple[BtFill, ...]
    closed_pnl: dict[str, list[float]]
    equity: np.ndarray[Any, np.dtype[np.float64]]
    cash: np.ndarray[Any, np.dtype[np.float64]]
    orders: int
    rejected: int
    pending: int


def import_backtrader() -> Any:
    """The backtrader module, or a clear error naming the extra to install."""
    try:
        with warnings.catch_warnings():
            # backtrader 1.9.78's cerebro.py has docstrings with "\*" (invalid escapes): the
            # first import after install compiles them with a SyntaxWarning, an error under -W
            warnings.filterwarnings(
                "ignore", "invalid escape sequence", SyntaxWarning, r".*backtrader"
            )
            import backtrader
    except ImportError as exc:
        raise BacktraderUnavailableError(
            "the backtrader engine needs the optional extra: uv sync --extra backtrader "
            "(or pip install 'trademind[backtrader]')"
        ) from exc
    return backtrader


def check_supported(config: BacktestConfig) -> None:
    """ValidationError naming the first setting backtrader cannot reproduce here."""
    unsupported = {
        "sizing (only all-in)": type(config.sizing).__name__ != "AllIn",
        "order type (only market)": config.order_type != "market",
        "fill price (only next_open)": config.fill_price != "next_open",
        "latency (only none)": config.latency_bars != 0 or config.latency_seconds != 0.0,
        "stop-loss / take-profit / trailing stop": any(
            value is not None
            for value in (config.stop_loss, config.take_profit, config.trailing_stop)
        ),
        "volume cap": config.volume_cap is not None,
        "slippage (only none or fixed bps)": not isinstance(
            config.slippage, NoSlippage | FixedBpsSlippage
        ),
    }
    for name, refused in unsupported.items():
        if refused:
            raise ValidationError(
                f"the backtrader engine does not support this {name}; use --engine native"
            )


def run_backtrader(
    bars: Sequence[Bars], signals: Sequence[Signals], config: BacktestConfig | None = None
) -> BacktestOutcome:
    """Backtest ``signals[k]`` on ``bars[k]`` through backtrader, in one cash account."""
    from trademind.backtest.engine import prepare
    from trademind.backtest.reference.backtrader_outcome import outcome_from_run

    config = config if config is not None else BacktestConfig()
    check_supported(config)
    flat = prepare.flatten(bars, signals)  # the native engine's checks of bars and signals
    run = _run_cerebro(bars, signals, config)
    if run.equity.shape[0] != flat.steps:
        raise BacktraderRunError(
            f"backtrader visited {run.equity.shape[0]} timestamps, the bars have {flat.steps}"
        )
    return outcome_from_run(run, bars, signals, config, flat)


def bars_frame(bars: Bars, signals: Signals) -> pd.DataFrame:
    """Bars and signals as the frame the signal feed reads (naive UTC index, float lines)."""
    import pandas as pd

    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(bars.ts), unit="ns"), name="datetime")
    return pd.DataFrame(
        {
            "open": bars.open,
            "high": bars.high,
            "low": bars.low,
            "close": bars.close,
            "volume": bars.volume,
            "entry": np.asarray(signals.entries, dtype=np.float64),
            "exit": np.asarray(signals.exits, dtype=np.float64),
        },
        index=index,
    )


def _run_cerebro(bars: Sequence[Bars], signals: Sequence[Signals], config: BacktestConfig) -> BtRun:
    bt = import_backtrader()
    from trademind.backtest.reference._bt_strategy import SignalFeed, SignalStrategy

    cerebro = bt.Cerebro(cheat_on_open=True, stdstats=False, maxcpus=1)
    for one_bars, one_signals in zip(bars, signals, strict=True):
        cerebro.adddata(
            SignalFeed(dataname=bars_frame(one_bars, one_signals)), name=one_bars.symbol
        )
    broker = cerebro.broker
    broker.setcash(float(config.initial_cash))
    broker.set_coo(True)
    _set_commission(bt, broker, config)
    slip_perc = 0.0
    if isinstance(config.slippage, FixedBpsSlippage) and config.slippage.bps > 0.0:
        slip_perc = float(config.slippage.bps) * 1e-4
        broker.set_slippage_perc(slip_perc, slip_open=True, slip_match=True, slip_out=False)
    commission = config.commission
    cerebro.addstrategy(
        SignalStrategy,
        sizer=commission.affordable_quantity,  # all-in: what the cash buys incl. commission
        slip_perc=slip_perc,
        fractional=config.fractional_shares,
    )
    (strategy,) = cerebro.run()
    if strategy.failures:
        raise BacktraderRunError("; ".join(strategy.failures[:5]))
    return BtRun(
        fills=tuple(strategy.fills),
        closed_pnl=dict(strategy.closed_pnl),
        equity=np.frombuffer(strategy.equity, dtype=np.float64).copy(),
        cash=np.frombuffer(strategy.cash, dtype=np.float64).copy(),
        orders=int(strategy.orders),
        rejected=int(strategy.rejected),
        pending=strategy.pending(),
    )


def _set_commission(bt: Any, broker: Any, config: BacktestConfig) -> None:
    commission = config.commission
    if isinstance(commission, PercentageCommission):
        broker.setcommission(commission=float(commission.rate))  # percabs: 0.001 is 0.1%
    elif isinstance(commission, PerShareCommission):
        from trademind.backtest.reference._bt_strategy import PerShareCommInfo

        broker.addcommissioninfo(
            PerShareCommInfo(
                per_share=float(commission.per_share),
                minimum=float(commission.minimum),
                maximum_fraction=float(commission.maximum_fraction),
            )
        )
    else:
        broker.setcommission(commission=0.0)
