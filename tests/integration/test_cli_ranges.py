"""Every numeric option of the CLI has a documented range, checked before the command runs.

Issue 9 defect 5: ``--days 99999999999999999999``, ``--days 1000000`` and ``backtest results
99999999999999999999999`` ended in "internal error: OverflowError". The rule: every int and
float parameter of every command carries Click's range type, with both bounds, so an
out-of-range value is a usage error (exit 2) and ``--help`` shows the range.
"""

from __future__ import annotations

import click
import pytest
from support.cli_driver import Cli
from support.cli_tree import numeric_params
from support.fuzz_sandbox import offline_providers

from trademind.cli.context import CliState
from trademind.cli.finite import FiniteFloatRange


def _bounded(param: click.Parameter) -> bool:
    kind = param.type
    return (
        isinstance(kind, click.IntRange | click.FloatRange)
        and kind.min is not None
        and kind.max is not None
    )


def test_every_numeric_parameter_has_a_lower_and_an_upper_bound() -> None:
    """Walks the whole tree, so a new numeric option without a range fails here."""
    numeric = numeric_params()
    assert numeric, "the tree has numeric parameters; the walk found none"
    unbounded = [name for name, param in numeric if not _bounded(param)]
    assert unbounded == [], "unbounded: " + ", ".join(unbounded)


@pytest.mark.parametrize(
    "argv",
    [
        ("data", "ingest", "--source", "sample", "--symbols", "AAPL", "--days", "1000000"),
        ("data", "ingest", "--source", "sample", "--days", "99999999999999999999"),
        ("data", "ingest", "--source", "sample", "--days", "0"),
        ("data", "show", "AAPL", "--days", "99999999999999999999"),
        ("data", "show", "AAPL", "--days", "-5"),
        ("backtest", "results", "99999999999999999999999"),
    ],
    ids=" ".join,
)
def test_an_out_of_range_number_is_a_usage_error(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 5 (and 11: ``--days -5`` exited 1): exit 2 naming the range, before any work."""
    code, out, err = Cli(capsys, lambda: CliState(provider_factory=offline_providers))(*argv)
    assert code == 2, (out, err)
    assert "internal error" not in err
    assert "is not in the range" in err
    assert out == ""


def test_help_shows_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = Cli(capsys)("data", "show", "--help")
    assert code == 0
    assert "1<=x<=36500" in out


def test_every_float_parameter_refuses_nan_and_inf() -> None:
    """``news list --days nan`` passed Click's FloatRange (nan compares false with every bound)
    and failed inside the command as an internal error; every float range is now finite."""
    floats = [(name, p) for name, p in numeric_params() if isinstance(p.type, click.FloatRange)]
    assert floats, "the tree has float parameters; the walk found none"
    for name, param in floats:
        for text in ("nan", "inf", "-inf"):
            with pytest.raises(click.BadParameter, match=r"not a finite number|not in the range"):
                param.type.convert(text, param, None)
        assert isinstance(param.type, FiniteFloatRange), name


def test_a_nan_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = Cli(capsys)("news", "list", "--symbol", "AAPL", "--days", "nan")
    assert (code, out) == (2, "")
    assert "'nan' is not a finite number" in err
