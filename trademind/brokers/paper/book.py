"""The paper venue's working state, all float64 as the backtest kernel keeps it.

One :class:`SymbolBook` per symbol (its bars seen, position and round trip, trailing peak,
volume used in the current bar, volatility trackers, at most one working entry and one working
exit order) and the account's cash. :func:`to_document` / :func:`from_document` turn a book
into JSON and back exactly (finite floats as JSON numbers, which round-trip in Python; NaN and
infinities as the strings ``"nan"``, ``"inf"``, ``"-inf"``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Final

from trademind.fills.protective import EXIT_SIGNAL
from trademind.fills.volatility import atr_step, return_std_step


@dataclass
class EntryOrder:
    """A working BUY: what the kernel keeps in its entry-order slot."""

    order_id: str
    order_type: int
    limit: float
    stop: float
    time_in_force: int
    activation: int  # first bar (symbol-local index) it may fill in
    volatility: float  # sizing volatility at its signal bar
    session: int = -1  # session of its first active bar (-1 before)
    triggered: bool = False  # stop-limit triggered
    target: float = 0.0  # quantity, decided at the first fill
    cap: float = 0.0  # most it may fill: the placed quantity when entries are capped; 0: none
    filled: float = 0.0
    value: float = 0.0
    commission: float = 0.0


@dataclass
class ExitOrder:
    """A working SELL of the whole position (a signal exit or a protective exit)."""

    order_id: str
    activation: int
    kind: int = EXIT_SIGNAL
    quantity: float = 0.0  # the position when it was placed
    filled: float = 0.0
    value: float = 0.0
    commission: float = 0.0


@dataclass
class Atr:
    """ATR of one period, one bar at a time (``fills.volatility.atr_step``)."""

    period: int
    wilder: float = 0.0
    warm_total: float = 0.0
    value: float = math.nan

    def update(self, index: int, bar: tuple[float, float, float]) -> float:
        self.value, self.wilder, self.warm_total = atr_step(
            index, bar, self.period, self.wilder, self.warm_total
        )
        return self.value


@dataclass
class ReturnStd:
    """Rolling return standard deviation times the close (``fills.volatility``)."""

    period: int
    total: float = 0.0
    squares: float = 0.0
    returns: list[float] = field(default_factory=list)  # the last ``period`` returns
    value: float = math.nan

    def update(self, index: int, closes: tuple[float, float]) -> float:
        old = self.returns[0] if index > self.period else 0.0
        self.value, latest, self.total, self.squares = return_std_step(
            index, closes, old, self.period, self.total, self.squares
        )
        self.returns.append(latest)
        if len(self.returns) > self.period:
            del self.returns[0]
        return self.value


@dataclass
class SymbolBook:
    """One symbol at the venue (the kernel's per-symbol row)."""

    symbol: str
    bars: int = 0  # bars seen; the current bar's index is bars - 1
    session: int = -1
    last_close: float = 0.0
    previous_close: float = math.nan
    position: float = 0.0
    entry_quantity: float = 0.0  # bought in the open round trip
    entry_value: float = 0.0
    round_trip_order: str = ""  # the order that opened the round trip
    peak: float = 0.0
    check_from: int = 0
    volume_used: float = 0.0
    atr_before: float = 0.0  # slippage ATR known before the current bar
    atr_at: float = 0.0  # slippage ATR at the current bar's close
    volatility: float = math.nan  # sizing volatility at the current bar's close
    slippage_atr: Atr | None = None
    sizing_atr: Atr | None = None
    sizing_std: ReturnStd | None = None
    entry: EntryOrder | None = None
    exit: ExitOrder | None = None
    protective_orders: int = 0  # protective exits placed in this round trip

    @property
    def index(self) -> int:
        return self.bars - 1


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else repr(value)
    if kind is list:
        return [_encode(item) for item in value]
    if hasattr(kind, "__dataclass_fields__"):  # the book's own dataclasses (not slotted)
        return _encode_fields(value)
    return value


_PLAIN: Final = frozenset({int, str, bool, type(None)})


def _encode_fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields as :func:`_encode` gives them, the common kinds inline (this runs
    for every book at every save: it is the hot path of persisting the venue)."""
    result: dict[str, Any] = {}
    for name, item in vars(value).items():
        kind = type(item)
        if kind is float:
            # x - x is 0.0 exactly for finite x, NaN for NaN and the infinities
            result[name] = item if item - item == 0.0 else repr(item)
        elif kind in _PLAIN:
            result[name] = item
        else:
            result[name] = _encode(item)
    return result


def to_document(book: SymbolBook) -> dict[str, Any]:
    """The book as JSON-ready data (see the module docstring)."""
    result: dict[str, Any] = _encode(book)
    return result


def _decoded[T](kind: type[T], data: dict[str, Any]) -> T:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(kind):  # type: ignore[arg-type]
        if item.name not in data and item.default is not dataclasses.MISSING:
            continue  # a field added since the document was stored: its default
        raw = data[item.name]
        annotation = str(item.type)
        if annotation == "float":
            values[item.name] = float(raw)
        elif annotation == "list[float]":
            values[item.name] = [float(x) for x in raw]
        else:
            values[item.name] = raw
    return kind(**values)


_NESTED: dict[str, type[Any]] = {
    "slippage_atr": Atr,
    "sizing_atr": Atr,
    "sizing_std": ReturnStd,
    "entry": EntryOrder,
    "exit": ExitOrder,
}


def from_document(data: dict[str, Any]) -> SymbolBook:
    """A book back from :func:`to_document`'s data, float for float."""
    flat = {k: v for k, v in data.items() if k not in _NESTED}
    book = _decoded(SymbolBook, {**flat, **dict.fromkeys(_NESTED)})
    for name, kind in _NESTED.items():
        if data.get(name) is not None:
            setattr(book, name, _decoded(kind, data[name]))
    return book
