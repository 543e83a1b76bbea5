"""The limits of the one configuration parser (issue 9, defects 1, 2 and 9): anchors and aliases
refused, a size cap checked before parsing, empty or non-mapping imports refused, and
command-line values typed as their setting."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.yaml_bombs import billion_laughs
from tests.unit.config.conftest import WriteFile
from trademind.config import load_config
from trademind.config.changes import parse_cli_value
from trademind.config.documents import (
    MAX_DOCUMENT_BYTES,
    load_document,
    parse_document,
    read_text,
)
from trademind.config.schema import describe_key
from trademind.config.values import ConfigUsageError
from trademind.core.errors import ConfigError


def test_the_billion_laughs_document_is_refused_at_its_first_anchor() -> None:
    """Defect 1: the document is refused before any alias is expanded (the old parser
    accepted it, and turning it into plain data grew memory without end)."""
    bomb = billion_laughs()
    assert len(bomb) < 1500
    with pytest.raises(ConfigError) as caught:
        parse_document(bomb, "bomb.yaml")
    message = str(caught.value)
    assert message.startswith("bomb.yaml: line 1, column 5: YAML anchors and aliases (&a0)")
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nother: *b\n",
        "safety:\n  max_positions: &n 3\n",
        "defaults: &d\n  a: 1\nsafety:\n  <<: *d\n",
    ],
)
def test_any_anchor_or_alias_is_refused(text: str) -> None:
    """Defect 1: config.yaml needs none, so refusing them all is the simplest bound."""
    with pytest.raises(ConfigError, match="anchors and aliases"):
        parse_document(text, "c.yaml")


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    """Defect 1: the cap is checked on the file, before its text is parsed."""
    path = tmp_path / "big.yaml"
    path.write_text("#" * MAX_DOCUMENT_BYTES + "\n")
    with pytest.raises(ConfigError, match=r"big\.yaml: is larger than 1024 KiB"):
        read_text(path)
    path.write_text("# fits\n" + "#" * (MAX_DOCUMENT_BYTES - 20) + "\n")
    assert parse_document(read_text(path), "fits") == {}


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """Only regular files are read: opening a FIFO for reading would wait for a writer."""
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_text(fifo)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"c\.yaml: "):
        parse_document("a: " + "[" * 200 + "]" * 200 + "\n", "c.yaml")


def test_an_integer_beyond_the_digit_limit_is_one_clear_error() -> None:
    """Found by schemathesis through PUT /api/v1/config: it was an internal error."""
    with pytest.raises(ConfigError, match=r"c\.yaml: holds a value that cannot be read: .*digits"):
        parse_document("safety:\n  max_positions: " + "9" * 5000 + "\n", "c.yaml")
    with pytest.raises(ConfigUsageError, match="cannot be read"):
        typed("safety.max_positions", "9" * 5000)


def test_text_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"app:\n  timezone: \xe9\n")
    with pytest.raises(ConfigError, match=r"latin1\.yaml: is not UTF-8 text \(byte 17\)"):
        read_text(path)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("", "an empty document"), ("# only a comment\n", "an empty document"),
     ("null\n", "an empty document"), ("{}\n", "an empty mapping"), ("- a\n", "a list"),
     ("5\n", "a number"), ("hello\n", "text")],
)  # fmt: skip
def test_an_import_must_be_a_mapping_with_settings(tmp_path: Path, text: str, kind: str) -> None:
    """Defect 2: an empty or non-mapping document is an error naming the file."""
    path = tmp_path / "new.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_document(path, allow_empty=False)
    assert str(caught.value) == (
        f"{path}: must be a mapping of sections (such as 'safety:'), not {kind}"
    )


def test_an_empty_base_file_is_still_the_defaults() -> None:
    assert parse_document("# nothing yet\n", "config.yaml") == {}


# --- every layer goes through the same parser ---------------------------------------------


def test_the_overlay_file_has_the_same_limits(write_file: WriteFile) -> None:
    write_file("config.yaml", "safety:\n  max_positions: 3\n")
    overlay = write_file("config.dev.yaml", billion_laughs())
    with pytest.raises(ConfigError, match=re.escape(f"{overlay}: line 1, column 5: YAML anchors")):
        load_config(environ={"TRADEMIND_ENV": "dev"})


def test_a_dotenv_file_over_the_size_cap_is_refused(write_file: WriteFile) -> None:
    dotenv = write_file(".env", "#" * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ConfigError, match=re.escape(f"{dotenv}: is larger than 1024 KiB")):
        load_config(environ={})


def test_a_bad_dotenv_line_is_named_without_quoting_it(write_file: WriteFile) -> None:
    dotenv = write_file(".env", "# secrets\n\nTRADEMIND__LLM__API_KEY=ok\nsk-oops 'unterminated\n")
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert str(caught.value) == f"{dotenv}: line 4 is not NAME=VALUE"


def test_dotenv_values_are_read_as_before(write_file: WriteFile) -> None:
    write_file(".env", "export TRADEMIND__IBKR__CLIENT_ID=7  # comment\nEMPTY=\n")
    assert load_config(environ={}).settings.ibkr.client_id == 7


# --- command-line values (defect 9) -----------------------------------------------------------


def typed(key: str, raw: str) -> object:
    return parse_cli_value(describe_key(tuple(key.split("."))), raw)


@pytest.mark.parametrize("raw", ["yes", "no", "on", "1", "0", "'true'", "y"])
def test_a_boolean_setting_takes_only_true_or_false(raw: str) -> None:
    """Defect 9: `config set database.auto_migrate yes` stored the text "yes"."""
    with pytest.raises(ConfigUsageError) as caught:
        typed("database.auto_migrate", raw)
    assert str(caught.value).startswith("database.auto_migrate: must be true or false (got ")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_true_and_false_are_real_booleans(raw: str, value: bool) -> None:
    assert typed("database.auto_migrate", raw) is value


def test_numbers_are_stored_with_the_setting_type() -> None:
    """Defect 9: a whole-number setting stores an int, a number setting a float."""
    assert type(typed("safety.max_positions", "4.0")) is int
    assert type(typed("backtest.commission_minimum", "2")) is float
    assert typed("indicators.sma_periods", "[50, 20.0]") == [50, 20]


@pytest.mark.parametrize(
    ("key", "raw", "reason"),
    [
        ("safety.max_positions", "4.5", "must be a whole number (got 4.5)"),
        ("safety.max_positions", "'4'", "must be a whole number (got '4')"),
        ("safety.daily_loss_limit", ".nan", "must be a finite number (got nan)"),
        ("safety.daily_loss_limit", ".inf", "must be a finite number (got inf)"),
        ("safety.daily_loss_limit", "nan", "must be a finite number (got 'nan')"),
        ("indicators.sma_periods", "[20, 1.5]", "must be a whole number (got [20, 1.5])"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_usage_error_naming_the_key(
    key: str, raw: str, reason: str
) -> None:
    with pytest.raises(ConfigUsageError) as caught:
        typed(key, raw)
    assert str(caught.value) == f"{key}: {reason}"


def test_an_alias_as_a_value_is_refused() -> None:
    """Defect 1: a command-line VALUE is YAML too, parsed with the same limits."""
    with pytest.raises(ConfigUsageError, match="anchors and aliases"):
        typed("data.watchlist", "[&a [x, x], *a]")
