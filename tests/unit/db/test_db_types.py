"""The portable column types, checked at the bind/result boundary of each dialect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from trademind.db.types import ExactDecimal, JsonDocument, UtcDateTime, to_exact_decimal

SQLITE: Dialect = sqlite.dialect()
POSTGRES: Dialect = postgresql.psycopg.dialect()
NEW_YORK = timezone(timedelta(hours=-5))


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_naive_datetimes_are_rejected(dialect: Dialect) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UtcDateTime().process_bind_param(datetime(2024, 1, 2, 15, 30), dialect)


def test_aware_datetimes_are_stored_as_utc() -> None:
    local = datetime(2024, 1, 2, 10, 30, tzinfo=NEW_YORK)
    stored_pg = UtcDateTime().process_bind_param(local, POSTGRES)
    stored_sqlite = UtcDateTime().process_bind_param(local, SQLITE)
    assert stored_pg == datetime(2024, 1, 2, 15, 30, tzinfo=UTC)
    assert stored_pg is not None
    assert stored_pg.tzinfo is UTC
    assert stored_sqlite == datetime(2024, 1, 2, 15, 30)  # UTC wall time, zone re-added on load


def test_loaded_datetimes_are_aware_utc() -> None:
    from_sqlite = UtcDateTime().process_result_value(datetime(2024, 1, 2, 15, 30), SQLITE)
    from_pg = UtcDateTime().process_result_value(
        datetime(2024, 1, 2, 10, 30, tzinfo=NEW_YORK), POSTGRES
    )
    assert from_sqlite == datetime(2024, 1, 2, 15, 30, tzinfo=UTC)
    assert from_sqlite is not None
    assert from_sqlite.tzinfo is UTC
    assert from_pg is not None
    assert from_pg.tzinfo is UTC
    assert from_pg.hour == 15


def test_non_datetimes_are_rejected() -> None:
    with pytest.raises(TypeError, match="expected a datetime"):
        UtcDateTime().process_bind_param("2024-01-02", SQLITE)  # type: ignore[arg-type]


def test_exact_decimal_is_text_on_sqlite_and_numeric_on_postgres() -> None:
    assert ExactDecimal().load_dialect_impl(SQLITE).compile(dialect=SQLITE) == "TEXT"
    assert ExactDecimal().load_dialect_impl(POSTGRES).compile(dialect=POSTGRES) == "NUMERIC(24, 8)"


def test_json_documents_are_jsonb_on_postgres_and_json_on_sqlite() -> None:
    assert JsonDocument.dialect_impl(POSTGRES).compile(dialect=POSTGRES) == "JSONB"
    assert JsonDocument.dialect_impl(SQLITE).compile(dialect=SQLITE) == "JSON"


def test_exact_decimal_binds_fixed_point_text_on_sqlite() -> None:
    assert ExactDecimal().process_bind_param(Decimal("101.25"), SQLITE) == "101.25000000"
    assert ExactDecimal().process_bind_param(7, SQLITE) == "7.00000000"
    assert ExactDecimal().process_bind_param(Decimal("-0.1"), POSTGRES) == Decimal("-0.10000000")


def test_exact_decimal_loads_decimals() -> None:
    loaded = ExactDecimal().process_result_value("0.30000000", SQLITE)
    assert isinstance(loaded, Decimal)
    assert loaded == Decimal("0.3")
    assert ExactDecimal().process_result_value(None, SQLITE) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.123456785"), Decimal("1.12345678")),  # half-even: 5 rounds to even 8
        (Decimal("1.123456775"), Decimal("1.12345678")),
        (Decimal("2.000000001"), Decimal("2.00000000")),
        (Decimal("9999999999999999.99999999"), Decimal("9999999999999999.99999999")),
    ],
)
def test_exact_decimal_rounds_half_even_to_eight_places(value: Decimal, expected: Decimal) -> None:
    assert to_exact_decimal(value) == expected
    assert to_exact_decimal(value).as_tuple().exponent == -8


@pytest.mark.parametrize("value", [0.1, True, "1.0", None])
def test_exact_decimal_refuses_non_decimals(value: object) -> None:
    with pytest.raises(TypeError, match="expected Decimal or int"):
        to_exact_decimal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1e16"), Decimal("-1e17")]
)
def test_exact_decimal_refuses_what_numeric_24_8_cannot_hold(value: Decimal) -> None:
    with pytest.raises(ValueError, match=r"exact decimal|exceeds NUMERIC"):
        to_exact_decimal(value)
