"""Which broker a kind names: :class:`BrokerFactory`, a registry of broker constructors.

A broker package registers its constructor at composition time (``factory.register("paper",
make_paper_broker)``; the lead wires the paper broker's at merge), so this module imports no
broker. ``"ibkr"`` is reserved: asking for it says it arrives with the IBKR issue. Any other
unknown kind is a :class:`~trademind.core.errors.ValidationError` naming the known kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from trademind.brokers.base import Broker
from trademind.core.errors import NotBuiltYetError, ValidationError

BrokerConstructor = Callable[[Any], Broker]
"""Builds a broker from its configuration (each kind has its own config type, hence Any)."""

RESERVED_KINDS: Final[Mapping[str, tuple[str, str]]] = {
    "ibkr": ("the Interactive Brokers (ibkr) broker", "the IBKR issue"),
}
"""Kinds that exist in the design but not yet: ``kind -> (capability, arrives with)``."""


class BrokerFactory:
    """``create_broker(kind, config)`` over constructors registered by kind."""

    def __init__(self, constructors: Mapping[str, BrokerConstructor] | None = None) -> None:
        self._constructors: dict[str, BrokerConstructor] = {}
        for kind, constructor in (constructors or {}).items():
            self.register(kind, constructor)

    def register(self, kind: str, constructor: BrokerConstructor) -> None:
        """Make ``kind`` build brokers with ``constructor``; a kind is registered once."""
        name = _normal(kind)
        if not name:
            raise ValidationError("a broker kind must not be empty")
        if name in self._constructors:
            raise ValidationError(f"broker kind {name!r} is already registered")
        if not callable(constructor):
            raise TypeError(f"the constructor for broker kind {name!r} is not callable")
        self._constructors[name] = constructor

    @property
    def kinds(self) -> tuple[str, ...]:
        """The registered kinds, sorted."""
        return tuple(sorted(self._constructors))

    def create_broker(self, kind: str, config: object) -> Broker:
        """A new broker of ``kind`` built from ``config``."""
        name = _normal(kind)
        constructor = self._constructors.get(name)
        if constructor is not None:
            broker = constructor(config)
            if not isinstance(broker, Broker):
                raise TypeError(f"the {name!r} constructor did not return a Broker")
            return broker
        if name in RESERVED_KINDS:
            capability, arrives_with = RESERVED_KINDS[name]
            raise NotBuiltYetError(capability, arrives_with)
        known = ", ".join(self.kinds) or "none registered"
        raise ValidationError(f"unknown broker kind {kind!r} (known: {known})")


def _normal(kind: str) -> str:
    if not isinstance(kind, str):
        raise ValidationError(f"a broker kind must be text, got {type(kind).__name__}")
    return kind.strip().lower()
