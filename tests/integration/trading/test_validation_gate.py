"""The paper-mode gate on ``safety.require_validation`` (issue 11, item 6): a paper session
refuses a strategy, with its parameters, whose latest validation is missing or failed, naming
the command to run; a passing one trades; replays are never gated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.paper_session import (
    PARAMS,
    START,
    ledger_rows,
    paper_options,
    paper_request,
    store_bars,
    swinging,
)

from trademind.config import Settings
from trademind.core.clock import TestClock
from trademind.core.errors import ValidationError
from trademind.db.session import Database
from trademind.db.strategy_validations import ValidationRecord, ValidationRepository
from trademind.services.backtest_service import strategy_params
from trademind.services.safety_validation import params_key
from trademind.services.trade import TradeRequest, run_trade


@pytest.fixture
def gated(settings: Settings) -> Settings:
    """The trading fixtures' settings with the gate on (their default turns it off)."""
    safety = settings.safety.model_copy(update={"require_validation": True})
    return settings.model_copy(update={"safety": safety})


def _validation(settings: Settings, passed: bool, at: datetime) -> ValidationRecord:
    params = strategy_params(settings, "ma_crossover", PARAMS)
    return ValidationRecord(
        strategy="ma_crossover",
        params_hash=params_key("ma_crossover", params),
        params=dict(params),
        symbols=("AAPL", "MSFT"),
        validated_at=at,
        passed=passed,
        reasons=(),
    )


def test_an_unvalidated_strategy_is_refused_in_paper_mode_naming_the_command(
    database: Database, gated: Settings
) -> None:
    store_bars(database, swinging)
    before = ledger_rows(database)
    options = paper_options(TestClock(START), swinging)
    with pytest.raises(ValidationError) as caught:
        run_trade(database, gated, paper_request("gated"), options)
    message = str(caught.value)
    assert "has never been validated" in message
    assert "`trademind safety validate --strategy ma_crossover --param average=sma " in message
    assert "--param fast=3 --param slow=8`" in message
    assert "\n" not in message
    assert ledger_rows(database) == before


def test_the_latest_validation_decides(database: Database, gated: Settings) -> None:
    store_bars(database, swinging)
    repository = ValidationRepository(database)
    repository.add(_validation(gated, True, datetime(2024, 3, 1, tzinfo=UTC)))
    repository.add(_validation(gated, False, datetime(2024, 3, 2, tzinfo=UTC)))
    options = paper_options(TestClock(START), swinging)
    with pytest.raises(ValidationError, match=r"failed its latest validation \(2024-03-02"):
        run_trade(database, gated, paper_request("failed"), options)
    repository.add(_validation(gated, True, datetime(2024, 3, 3, tzinfo=UTC)))
    summary = run_trade(database, gated, paper_request("passed"), options)
    assert summary.mode == "paper"


def test_other_parameters_need_their_own_validation(database: Database, gated: Settings) -> None:
    store_bars(database, swinging)
    ValidationRepository(database).add(_validation(gated, True, datetime(2024, 3, 1, tzinfo=UTC)))
    other = paper_request("other", params={"fast": "4", "slow": "8"})
    with pytest.raises(ValidationError, match="--param fast=4 --param slow=8"):
        run_trade(database, gated, other, paper_options(TestClock(START), swinging))


def test_a_replay_is_never_gated(database: Database, gated: Settings) -> None:
    store_bars(database, swinging)
    request = TradeRequest(
        symbols=("AAPL",), strategy="ma_crossover", params=PARAMS, account="replayed"
    )
    summary = run_trade(database, gated, request, paper_options(TestClock(START), swinging))
    assert summary.mode == "replay"
