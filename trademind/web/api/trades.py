"""``/api/v1/trades`` and ``/api/v1/decisions``: fills with their orders and decision chains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from trademind.services import orders_service, trades_service
from trademind.services.decision_list import DecisionList, recent_decisions
from trademind.services.orders_service import OrderList
from trademind.services.trades_service import TradeDetail, TradeList
from trademind.web.deps import ClockDep, DatabaseDep

router = APIRouter(tags=["trades"])

Account = Annotated[
    str | None, Query(max_length=64, description="Account name.", examples=["demo"])
]
Symbol = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9.^=-]+$")]


@router.get("/trades", response_model=TradeList)
def trades(
    database: DatabaseDep,
    clock: ClockDep,
    account: Account = None,
    symbol: Symbol = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> TradeList:
    """The latest fills, newest first (``trademind trades list``)."""
    return trades_service.list_trades(database, clock, account, limit=limit, symbol=symbol)


@router.get("/trades/{trade_id}", response_model=TradeDetail)
def trade(
    database: DatabaseDep,
    clock: ClockDep,
    trade_id: Annotated[int, Path(ge=1, le=2**63 - 1, examples=[1])],
    account: Account = None,
) -> TradeDetail:
    """One fill with its order and the decision that made it (``trademind trades show``)."""
    return trades_service.show(database, clock, account, trade_id)


@router.get("/orders", response_model=OrderList)
def orders(
    database: DatabaseDep,
    clock: ClockDep,
    account: Account = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OrderList:
    """The latest orders, newest first (``open=true``: only the working ones)."""
    return orders_service.list_orders(database, clock, account, open_only=open_only, limit=limit)


@router.get("/decisions", response_model=DecisionList)
def decisions(
    database: DatabaseDep,
    clock: ClockDep,
    *,
    account: Account = None,
    symbol: Symbol = None,
    action: Annotated[str | None, Query(pattern="^(buy|sell|hold|BUY|SELL|HOLD)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> DecisionList:
    """The latest decisions with their votes (``trademind agents decisions``)."""
    return recent_decisions(database, clock, account, symbol=symbol, action=action, limit=limit)
