"""Fill rules of market, limit, stop and stop-limit orders in one bar, gaps included."""

from __future__ import annotations

import math

import pytest

from trademind.core.errors import ValidationError
from trademind.fills.orders import TIF_DAY, TIF_GTC, OrderSpec, day_order_expired

BAR = (100.0, 104.0, 97.0)  # open, high, low


def fill(spec: OrderSpec, bar: tuple[float, float, float], **kw: object) -> float:
    return spec.fill(bar, **kw)[0]  # type: ignore[arg-type]


def test_market_fills_at_the_open() -> None:
    assert fill(OrderSpec("market"), BAR, is_buy=True) == 100.0


@pytest.mark.parametrize(
    ("is_buy", "limit", "bar", "expected"),
    [
        (True, 98.0, BAR, 98.0),  # reached inside the bar: at the limit
        (True, 100.0, (95.0, 99.0, 94.0), 95.0),  # gap down through a buy limit: at the open
        (True, 96.0, BAR, math.nan),  # never reached
        (False, 103.0, BAR, 103.0),
        (False, 100.0, (105.0, 106.0, 104.0), 105.0),  # gap up through a sell limit
        (False, 105.0, BAR, math.nan),
    ],
)
def test_limit(
    is_buy: bool, limit: float, bar: tuple[float, float, float], expected: float
) -> None:
    price = fill(OrderSpec("limit"), bar, is_buy=is_buy, limit=limit)
    assert price == expected or (math.isnan(price) and math.isnan(expected))


@pytest.mark.parametrize(
    ("is_buy", "stop", "bar", "expected"),
    [
        (True, 102.0, BAR, 102.0),
        (True, 100.0, (105.0, 107.0, 104.0), 105.0),  # buy stop at 100, opens at 105: 105
        (True, 105.0, BAR, math.nan),
        (False, 98.0, BAR, 98.0),
        (False, 100.0, (95.0, 96.0, 94.0), 95.0),  # sell stop gapped through: the open
        (False, 96.0, BAR, math.nan),
    ],
)
def test_stop(is_buy: bool, stop: float, bar: tuple[float, float, float], expected: float) -> None:
    price, triggered = OrderSpec("stop").fill(bar, is_buy=is_buy, stop=stop)
    assert price == expected or (math.isnan(price) and math.isnan(expected))
    assert triggered == (not math.isnan(expected))


def test_stop_limit_triggered_inside_the_bar_fills_at_the_stop_when_marketable() -> None:
    spec = OrderSpec("stop_limit")
    assert spec.fill(BAR, is_buy=True, stop=102.0, limit=103.0) == (102.0, True)


def test_stop_limit_with_limit_below_stop_waits_after_an_inside_trigger() -> None:
    spec = OrderSpec("stop_limit")
    price, triggered = spec.fill(BAR, is_buy=True, stop=102.0, limit=101.0)
    assert math.isnan(price)
    assert triggered
    # next bar: a triggered order is a plain limit at 101
    assert spec.fill(
        (103.0, 103.5, 100.5), is_buy=True, stop=102.0, limit=101.0, triggered=True
    ) == (101.0, True)


def test_stop_limit_gapping_through_both_levels_does_not_fill_above_the_limit() -> None:
    spec = OrderSpec("stop_limit")
    # opens at 106 above stop 102 and limit 104, never comes back to 104
    price, triggered = spec.fill((106.0, 108.0, 105.0), is_buy=True, stop=102.0, limit=104.0)
    assert math.isnan(price)
    assert triggered
    # comes back to the limit later in the bar: fills at the limit
    assert spec.fill((106.0, 108.0, 103.0), is_buy=True, stop=102.0, limit=104.0) == (104.0, True)


def test_stop_limit_not_triggered() -> None:
    price, triggered = OrderSpec("stop_limit").fill(BAR, is_buy=True, stop=110.0, limit=111.0)
    assert math.isnan(price)
    assert not triggered


def test_order_prices_from_the_reference() -> None:
    assert OrderSpec("limit", limit_offset=0.02).prices(100.0, is_buy=True)[0] == pytest.approx(
        98.0
    )
    assert OrderSpec("limit", limit_offset=0.02).prices(100.0, is_buy=False)[0] == pytest.approx(
        102.0
    )
    assert OrderSpec("stop", stop_offset=0.01).prices(100.0, is_buy=True)[1] == pytest.approx(101.0)
    limit, stop = OrderSpec("stop_limit", 0.005, 0.01).prices(100.0, is_buy=True)
    assert stop == pytest.approx(101.0)
    assert limit == pytest.approx(101.505)
    assert all(math.isnan(v) for v in OrderSpec("market").prices(100.0, is_buy=True))


def test_day_orders_expire_when_the_session_changes_gtc_never() -> None:
    assert not day_order_expired(TIF_DAY, 7, 7)
    assert day_order_expired(TIF_DAY, 7, 8)
    assert not day_order_expired(TIF_GTC, 7, 8)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"order_type": "iceberg"},
        {"time_in_force": "ioc"},
        {"limit_offset": -0.1},
        {"stop_offset": 1.0},
    ],
)
def test_bad_specs_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OrderSpec(**kwargs)  # type: ignore[arg-type]
