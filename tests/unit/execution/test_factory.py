"""BrokerFactory: registered kinds build brokers; ibkr is not built yet; the rest is an error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trademind.brokers.base import Broker
from trademind.core.clock import TestClock
from trademind.core.errors import NotBuiltYetError, ValidationError
from trademind.core.events import Event
from trademind.execution.factory import BrokerFactory
from trademind.testing.fake_broker import FakeBroker


async def _discard(event: Event) -> None:
    return None


def _make(config: object) -> Broker:
    assert isinstance(config, dict)
    return FakeBroker(
        account_id=config["account"],
        publish=_discard,
        clock=TestClock(),
        cash=Decimal(config["cash"]),
    )


def test_a_registered_kind_builds_its_broker_from_the_config() -> None:
    factory = BrokerFactory({"paper": _make})
    broker = factory.create_broker(" Paper ", {"account": "acc", "cash": 5})
    assert isinstance(broker, FakeBroker)
    assert broker.account_id == "acc"
    assert factory.kinds == ("paper",)


def test_ibkr_says_it_arrives_with_the_ibkr_issue() -> None:
    with pytest.raises(NotBuiltYetError, match="IBKR issue"):
        BrokerFactory({"paper": _make}).create_broker("ibkr", {})


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValidationError, match=r"unknown broker kind 'alpaca' \(known: paper\)"):
        BrokerFactory({"paper": _make}).create_broker("alpaca", {})


def test_a_kind_registers_once() -> None:
    factory = BrokerFactory({"paper": _make})
    with pytest.raises(ValidationError, match="already registered"):
        factory.register("PAPER", _make)


def test_a_constructor_that_returns_no_broker_is_refused() -> None:
    factory = BrokerFactory({"paper": lambda config: object()})  # type: ignore[dict-item,return-value]
    with pytest.raises(TypeError, match="did not return a Broker"):
        factory.create_broker("paper", {})
