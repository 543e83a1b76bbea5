"""The fake Yahoo Finance: a ``yfinance.download`` stand-in that never goes online.

:class:`FakeYahoo` answers with business-day bars in the asked range whose prices depend on the
date only (:func:`yahoo_frame`), in ``yfinance.download``'s shape, and can fail the way Yahoo
does, per symbol: raise an exception (``failing``), time out after some calls (``outages``:
raised, or logged and swallowed as real yfinance does), answer nothing (``empty``) or log
"possibly delisted" and answer nothing (``delisted``). :meth:`FakeYahoo.scripted` instead
answers each call with the next of given answers (a frame, None, an exception to raise, a
callable to call), for the odd shapes and errors of a real download. Give it to
``YFinanceProvider(download=...)``. Every call's keyword arguments are kept in ``calls``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

FIRST_DAY: Final = "2024-01-01"
"""Where a download without ``start`` begins, and the day the fake prices count from."""
TIMEOUT_LOG: Final = (
    "['%s']: Timeout('Failed to perform, curl: (28) Operation timed out after 30002 "
    "milliseconds with 0 bytes received')"
)
"""What real ``yfinance.download`` logs when a request times out (then it returns nothing)."""
DELISTED_LOG: Final = "$%s: possibly delisted; no price data found"

Surface = Literal["raised", "logged"]


def yahoo_frame(days: pd.DatetimeIndex) -> pd.DataFrame:
    """Bars whose prices depend on the date only (the same bar whatever the range asked), in
    ``yfinance.download``'s shape: Open/High/Low/Close/Adj Close/Volume on a ``Date`` index."""
    base = (days - pd.Timestamp(FIRST_DAY)).days.to_numpy(dtype=float) + 100.0
    return pd.DataFrame(
        {
            "Open": base,
            "High": base + 1,
            "Low": base - 1,
            "Close": base + 0.5,
            "Adj Close": base + 0.25,
            "Volume": np.full(len(days), 1e6),
        },
        index=pd.DatetimeIndex(days, name="Date"),
    )


@dataclass
class Outage:
    """The network to Yahoo fails for a symbol from its ``after_calls + 1``-th download on.

    ``raised``: the download raises a timeout; ``logged``: like real ``yfinance.download``, it
    swallows the timeout, logs it on the ``yfinance`` logger and returns an empty frame.
    """

    surface: Surface
    after_calls: int = 0


@dataclass
class FakeYahoo:
    """``yfinance.download`` stand-in (see the module docstring). ``today`` is the last day a
    download without ``end`` covers; without it such a download is an error. ``prices`` makes
    the frame of the business days asked for (default :func:`yahoo_frame`; a test may give
    prices that trend or swing, as long as they depend on the date only)."""

    failing: dict[str, BaseException] = field(default_factory=dict)
    outages: dict[str, Outage] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)
    delisted: set[str] = field(default_factory=set)
    today: date | None = None
    answers: list[object] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    prices: Callable[[pd.DatetimeIndex], pd.DataFrame] = yahoo_frame

    @classmethod
    def scripted(cls, *answers: object) -> FakeYahoo:
        """A Yahoo answering each call with the next of ``answers`` (the last one repeats): a
        frame or None is returned, an exception raised, a callable called for the answer."""
        if not answers:
            raise ValueError("FakeYahoo.scripted needs at least one answer")
        return cls(answers=list(answers))

    @property
    def symbols(self) -> list[str]:
        """The symbol of each call, in order."""
        return [str(call["tickers"]) for call in self.calls]

    def __call__(self, **kwargs: Any) -> pd.DataFrame | None:
        self.calls.append(kwargs)
        if self.answers:
            return self._next_answer()
        symbol = str(kwargs["tickers"])
        if symbol in self.failing:
            raise self.failing[symbol]
        outage = self.outages.get(symbol)
        if outage is not None and self.symbols.count(symbol) > outage.after_calls:
            if outage.surface == "raised":
                raise TimeoutError("The read operation timed out")
            logging.getLogger("yfinance").error(TIMEOUT_LOG, symbol)
            return pd.DataFrame()
        if symbol in self.delisted:
            logging.getLogger("yfinance").error(DELISTED_LOG, symbol)
            return pd.DataFrame()
        if symbol in self.empty:
            return pd.DataFrame()
        days = pd.bdate_range(
            pd.Timestamp(kwargs.get("start") or FIRST_DAY), self._last_day(kwargs)
        )
        return self.prices(days) if len(days) else None

    def _next_answer(self) -> pd.DataFrame | None:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            answer = answer()
        if answer is not None and not isinstance(answer, pd.DataFrame):
            raise TypeError(f"FakeYahoo: a scripted answer must give a frame or None: {answer!r}")
        return answer

    def _last_day(self, kwargs: dict[str, Any]) -> pd.Timestamp:
        """The day before ``end`` (yfinance's end is exclusive), or ``today``."""
        if kwargs.get("end"):
            return pd.Timestamp(kwargs["end"]) - pd.Timedelta(days=1)
        if self.today is None:
            raise ValueError("FakeYahoo: a download without end needs FakeYahoo(today=...)")
        return pd.Timestamp(self.today + timedelta(days=1)) - pd.Timedelta(days=1)
