"""A trading session as stored with its account, so ``--resume`` continues exactly it.

The document (``broker_state`` row ``trade_session``) holds the request as given (texts), the
window the bars were read from (resolved once: ``--days`` counts from the newest stored bar,
which may move) and a fingerprint of the resolved execution settings. A resume takes what the
command line leaves out from it; what the command line gives must be what the session was
started with; the settings in force must give the same fingerprint (a changed configuration
file would make the resumed half trade by other rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from trademind.core.errors import UsageError, ValidationError
from trademind.services.trade.types import TradeRequest

SESSION_STATE: Final = "trade_session"
VERSION: Final = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSession:
    """What a session was started with (module docstring)."""

    request: TradeRequest
    symbols: tuple[str, ...]
    timeframe: str
    start: datetime | None
    end: datetime | None
    fingerprint: str

    def document(self) -> dict[str, Any]:
        r = self.request
        return {
            "version": VERSION,
            "request": {
                "mode": r.mode,
                "symbols": list(r.symbols),
                "strategy": r.strategy,
                "params": dict(r.params),
                "start": None if r.start is None else r.start.isoformat(),
                "end": None if r.end is None else r.end.isoformat(),
                "days": r.days,
                "timeframe": r.timeframe,
                "cash": r.cash,
                "slippage": r.slippage,
                "commission": r.commission,
                "execution": {k: v for k, v in r.execution.items() if v is not None},
            },
            "symbols": list(self.symbols),
            "timeframe": self.timeframe,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "fingerprint": self.fingerprint,
        }


def _day(text: object) -> date | None:
    return None if text is None else date.fromisoformat(str(text))


def _moment(text: object) -> datetime | None:
    return None if text is None else datetime.fromisoformat(str(text))


def read_session(document: Mapping[str, Any]) -> StoredSession:
    """The session a stored document describes."""
    if document.get("version") != VERSION:
        raise ValidationError(f"unknown trading session document {dict(document)!r:.80}")
    given = document["request"]
    cash = given.get("cash")
    request = TradeRequest(
        mode=given.get("mode"),
        symbols=tuple(given.get("symbols") or ()),
        strategy=given.get("strategy"),
        params=dict(given.get("params") or {}),
        start=_day(given.get("start")),
        end=_day(given.get("end")),
        days=given.get("days"),
        timeframe=given.get("timeframe"),
        cash=None if cash is None else float(cash),
        slippage=given.get("slippage"),
        commission=given.get("commission"),
        execution=dict(given.get("execution") or {}),
    )
    return StoredSession(
        request=request,
        symbols=tuple(document["symbols"]),
        timeframe=str(document["timeframe"]),
        start=_moment(document.get("start")),
        end=_moment(document.get("end")),
        fingerprint=str(document["fingerprint"]),
    )


_SIMPLE: Final = ("mode", "strategy", "start", "end", "days", "timeframe", "cash")
_TEXTS: Final = ("slippage", "commission")


def resumed_request(stored: TradeRequest, given: TradeRequest, account: str) -> TradeRequest:
    """``given`` completed from ``stored``; anything given that differs is a UsageError."""

    def clash(name: str, was: object, now: object) -> UsageError:
        started = "its default" if was is None else repr(was)
        return UsageError(
            f"--resume continues account {account!r} as it was started ({name}: {started}); "
            f"it cannot change to {now!r}: leave the option out or trade a new --account"
        )

    merged: dict[str, Any] = {}
    for name in (*_SIMPLE, *_TEXTS):
        was, now = getattr(stored, name), getattr(given, name)
        if now is not None and now != was:
            raise clash(name, was, now)
        merged[name] = was
    if given.symbols and tuple(given.symbols) != tuple(stored.symbols):
        raise clash("symbols", ",".join(stored.symbols), ",".join(given.symbols))
    if given.params and dict(given.params) != dict(stored.params):
        raise clash("params", dict(stored.params), dict(given.params))
    execution = dict(stored.execution)
    for key, text in given.execution.items():
        if text is not None and execution.get(key) != text:
            raise clash(key, execution.get(key), text)
    return replace(
        given,
        **merged,
        symbols=stored.symbols,
        params=dict(stored.params),
        execution=execution,
    )
