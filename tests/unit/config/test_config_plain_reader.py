"""Issue 9 defect 15: configuration files are read by libyaml when that gives the same data.

:func:`trademind.config.documents.read_mapping` (every configuration file read for settings)
takes the fast reader of :mod:`trademind.config.plain_reader` only for plain documents; every
other document goes to the round-trip parser, which refuses and words errors as before. These
tests hold the fast reader to the round-trip parser's data, value by value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trademind.config.documents import parse_document, read_mapping, to_plain
from trademind.config.plain_reader import read_plain
from trademind.core.errors import ConfigError
from trademind.resources import resource_path


def _round_trip(text: str) -> object:
    return to_plain(parse_document(text, "test"))


def test_the_shipped_config_yaml_takes_the_fast_path_with_the_same_data() -> None:
    text = resource_path("config.yaml").read_text(encoding="utf-8")
    fast = read_plain(text)
    assert fast is not None
    assert fast == _round_trip(text)


PLAIN_VALUES = [
    "yes", "no", "on", "off", "y", "Yes", "TRUE", "True", "false", "tRue", "null", "Null", "~",
    "", "0", "-0", "+5", "12", "1.", ".5", "0.", "-1.5E+3", "6.02e23", "1e3", "1E3", "+.inf",
    "-.Inf", ".NaN", "inf", "nan", "1d", "12e", "+", ".", "'010'", '"1_000"', "AAPL", "'a: b'",
    "[1, 2.5, x, true]", "{a: 1, b: [c]}", '"tab\\there"', "'it''s'", ">\n    folded\n    text",
    "|\n    kept\n    lines", ".5e3",
]  # fmt: skip


@pytest.mark.parametrize("value", PLAIN_VALUES)
def test_plain_values_read_as_the_round_trip_parser_reads_them(value: str) -> None:
    text = f"section:\n  key: {value}\n"
    fast = read_plain(text)
    assert fast is not None
    expected = _round_trip(text)
    assert repr(fast) == repr(expected)  # repr: nan == nan, and 1 != True


GIVEN_BACK = [
    "a: &x 1\nb: *x\n",  # anchors and aliases: refused by the round-trip parser
    "a: !!str 1\n",  # tags
    "%YAML 1.1\n---\na: yes\n",  # a directive (YAML 1.1 reads yes as true)
    "a: 1\na: 2\n",  # duplicate keys: an error of the round-trip parser
    "1: x\n",  # a key that is not text
    "a: 010\n", "a: 0o10\n", "a: 0x1F\n", "a: 1_000\n", "a: 00\n",
    "a: .5e+3\n", "a: 2024-01-02\n", "a: 2024-01-02 10:00:00\n", "a: <<\n", "a: =\n",
    "- a\n- b\n",  # not a mapping
    "a: 1\n---\nb: 2\n",  # two documents
    "a: [1, 2\n",  # a syntax error
    "a:" + "\n".join(f"{'  ' * i}k{i}:" for i in range(1, 20)) + " 1\n",  # deep nesting
]  # fmt: skip


@pytest.mark.parametrize("text", GIVEN_BACK)
def test_what_is_not_plain_goes_to_the_round_trip_parser(text: str) -> None:
    assert read_plain(text) is None


def test_an_empty_or_comment_only_file_is_an_empty_mapping(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# nothing set\n", encoding="utf-8")
    assert read_plain(path.read_text(encoding="utf-8")) == {}
    assert read_mapping(path) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("- a\n", "must be a mapping"),
        ("a: [1, 2\n", "invalid YAML at line"),
    ],
)
def test_errors_are_worded_by_the_round_trip_parser(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_mapping(path)


def test_read_mapping_gives_the_round_trip_data_for_what_it_gives_back(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("a:\n  n: 0x1F\n  big: 1_000\n  word: yes\n", encoding="utf-8")
    assert read_mapping(path) == {"a": {"n": 31, "big": 1000, "word": "yes"}}
