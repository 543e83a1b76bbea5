"""The trading state machine: every legal and illegal transition."""

from __future__ import annotations

import pytest

from trademind.core.errors import TradeMindError, TradingStateError
from trademind.core.trading_state import TradingState
from trademind.safety.state import StateEvent, check_actor_and_reason, next_state

ACTIVE, REDUCING, HALTED = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED


@pytest.mark.parametrize("current", list(TradingState))
def test_emergency_stop_halts_from_any_state(current: TradingState) -> None:
    assert next_state(current, StateEvent.EMERGENCY_STOP) is HALTED


@pytest.mark.parametrize("current", [REDUCING, HALTED])
def test_reset_makes_trading_active_again(current: TradingState) -> None:
    assert next_state(current, StateEvent.RESET) is ACTIVE


def test_reset_of_an_active_account_is_refused() -> None:
    with pytest.raises(TradingStateError, match="already active"):
        next_state(ACTIVE, StateEvent.RESET)


@pytest.mark.parametrize(
    ("current", "target"), [(ACTIVE, REDUCING), (ACTIVE, HALTED), (REDUCING, HALTED)]
)
def test_a_breaker_tightens_the_state(current: TradingState, target: TradingState) -> None:
    assert next_state(current, StateEvent.CIRCUIT_BREAKER_TRIPPED, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(HALTED, REDUCING), (REDUCING, REDUCING), (HALTED, HALTED), (ACTIVE, ACTIVE)],
)
def test_a_breaker_never_loosens_the_state(current: TradingState, target: TradingState) -> None:
    with pytest.raises(TradingStateError, match="only tightens"):
        next_state(current, StateEvent.CIRCUIT_BREAKER_TRIPPED, target)


@pytest.mark.parametrize("current", list(TradingState))
@pytest.mark.parametrize("target", list(TradingState))
def test_manual_set_goes_anywhere_else(current: TradingState, target: TradingState) -> None:
    if current is target:
        with pytest.raises(TradingStateError, match=f"already {current.value}"):
            next_state(current, StateEvent.MANUAL_SET, target)
    else:
        assert next_state(current, StateEvent.MANUAL_SET, target) is target


@pytest.mark.parametrize("event", [StateEvent.MANUAL_SET, StateEvent.CIRCUIT_BREAKER_TRIPPED])
def test_events_that_choose_a_state_need_one(event: StateEvent) -> None:
    with pytest.raises(TradingStateError, match="needs the state"):
        next_state(ACTIVE, event)
    with pytest.raises(TradingStateError, match="unknown trading state 'paused'"):
        next_state(ACTIVE, event, "paused")  # type: ignore[arg-type]


def test_the_error_belongs_to_the_one_hierarchy() -> None:
    assert issubclass(TradingStateError, TradeMindError)


def test_actor_and_reason_are_required() -> None:
    assert check_actor_and_reason(" ops ", " drill ") == ("ops", "drill")
    with pytest.raises(TradingStateError, match="actor"):
        check_actor_and_reason(" ", "drill")
    with pytest.raises(TradingStateError, match="actor"):
        check_actor_and_reason("x" * 65, "drill")
    with pytest.raises(TradingStateError, match="reason"):
        check_actor_and_reason("ops", "  ")
