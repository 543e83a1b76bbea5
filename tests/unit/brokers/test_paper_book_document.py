"""The paper venue's saved book: JSON and back, float for float (NaN and infinities too)."""

from __future__ import annotations

import json
import math

from trademind.brokers.paper.book import (
    Atr,
    EntryOrder,
    ExitOrder,
    ReturnStd,
    SymbolBook,
    from_document,
    to_document,
)


def _book() -> SymbolBook:
    book = SymbolBook("AAPL", bars=12, session=3, last_close=101.25, position=0.1 + 0.2)
    book.peak = math.inf
    book.atr_before = -math.inf
    book.slippage_atr = Atr(14, wilder=1.5, warm_total=20.25)
    book.sizing_std = ReturnStd(10, total=0.01, squares=1e-300, returns=[0.5, math.nan, -0.0])
    book.entry = EntryOrder("e-1", 2, 99.5, math.nan, 1, 13, 0.02, triggered=True)
    book.exit = ExitOrder("x-1", 14, quantity=7.0000000000000009)
    return book


def test_a_book_survives_strict_json_exactly() -> None:
    book = _book()
    document = to_document(book)
    text = json.dumps(document, allow_nan=False)
    back = from_document(json.loads(text))
    assert repr(back) == repr(book)  # NaN != NaN, so compare the reprs field for field
    assert document["peak"] == "inf"
    assert document["atr_before"] == "-inf"
    assert document["entry"]["stop"] == "nan"
    assert document["sizing_std"]["returns"][1] == "nan"
    assert math.copysign(1.0, back.sizing_std.returns[2]) == -1.0  # type: ignore[union-attr]
