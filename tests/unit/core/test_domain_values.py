"""Shared checks of the domain types: exact decimals (no float sneaks in), ranges, texts, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

import pytest

from trademind.core import values
from trademind.core.errors import ValidationError


def test_decimal_and_int_are_taken_exactly() -> None:
    assert values.exact(Decimal("0.1"), "x") == Decimal("0.1")
    assert values.exact(3, "x") == Decimal(3)
    assert isinstance(values.exact(3, "x"), Decimal)


@pytest.mark.parametrize("bad", [0.1, 1.0, True, "1.5", None])
def test_anything_but_decimal_or_int_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="price must be a Decimal or an int"):
        values.exact(bad, "price")


def test_a_float_names_the_explicit_conversion() -> None:
    with pytest.raises(TypeError, match="decimal_from_float"):
        values.exact(0.1, "price")


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimals_are_refused(bad: Decimal) -> None:
    with pytest.raises(ValidationError, match="must be finite"):
        values.exact(bad, "x")


def test_positive_and_not_negative_bounds() -> None:
    assert values.positive(Decimal("0.00000001"), "q") == Decimal("0.00000001")
    with pytest.raises(ValidationError, match="q must be greater than 0"):
        values.positive(Decimal(0), "q")
    assert values.not_negative(Decimal(0), "c") == 0
    with pytest.raises(ValidationError, match="c must not be negative"):
        values.not_negative(Decimal("-0.01"), "c")


def test_decimal_from_float_is_the_shortest_round_trip() -> None:
    assert values.decimal_from_float(0.1) == Decimal("0.1")
    assert values.decimal_from_float(187.12999999999997) == Decimal("187.12999999999997")
    assert float(values.decimal_from_float(1 / 3)) == 1 / 3
    assert values.decimal_from_float(5) == Decimal("5.0")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_decimal_from_float_refuses_non_finite(bad: float) -> None:
    with pytest.raises(ValidationError):
        values.decimal_from_float(bad)


def test_decimal_from_float_refuses_non_floats() -> None:
    with pytest.raises(TypeError):
        values.decimal_from_float("0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        values.decimal_from_float(True)


def test_within_checks_type_finiteness_and_range() -> None:
    assert values.within(1, 0.0, 1.0, "c") == 1.0
    with pytest.raises(ValidationError, match=r"c must be in \[0, 1\], got 1.5"):
        values.within(1.5, 0.0, 1.0, "c")
    with pytest.raises(ValidationError, match="finite"):
        values.within(float("nan"), 0.0, 1.0, "c")
    with pytest.raises(TypeError):
        values.within(True, 0.0, 1.0, "c")


def test_text_must_be_a_non_blank_string_within_its_length() -> None:
    assert values.text("abc", "t", max_length=3) == "abc"
    with pytest.raises(ValidationError, match="t must not be empty"):
        values.text("  ", "t")
    with pytest.raises(ValidationError, match="at most 3 characters"):
        values.text("abcd", "t", max_length=3)
    with pytest.raises(TypeError):
        values.text(1, "t")


def test_symbol_has_no_whitespace_and_fits_the_database() -> None:
    assert values.symbol("BRK.B") == "BRK.B"
    with pytest.raises(ValidationError, match="whitespace"):
        values.symbol("BRK B")
    with pytest.raises(ValidationError, match="at most 32"):
        values.symbol("X" * 33)


def test_utc_converts_aware_times_and_refuses_naive_ones() -> None:
    eastern = datetime(2024, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert values.utc(eastern, "ts") == datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    assert values.utc(eastern, "ts").tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        values.utc(datetime(2024, 1, 2), "ts")
    with pytest.raises(TypeError):
        values.utc("2024-01-02", "ts")


def test_duration_is_a_non_negative_timedelta() -> None:
    assert values.duration(timedelta(0), "d") == timedelta(0)
    with pytest.raises(ValidationError):
        values.duration(timedelta(seconds=-1), "d")
    with pytest.raises(TypeError):
        values.duration(1.0, "d")


class _Colour(StrEnum):
    RED = "red"


def test_member_takes_a_member_or_its_text_and_names_the_allowed_values() -> None:
    assert values.member(_Colour, "red", "c") is _Colour.RED
    assert values.member(_Colour, _Colour.RED, "c") is _Colour.RED
    with pytest.raises(ValidationError, match="c: 'blue' is not one of red"):
        values.member(_Colour, "blue", "c")
    with pytest.raises(ValidationError):
        values.member(_Colour, 1, "c")
