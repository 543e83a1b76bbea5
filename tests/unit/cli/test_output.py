"""Tables show what they are given: cells are text, never Rich markup or emoji codes."""

from __future__ import annotations

import pytest

from trademind.cli.output import print_table


def test_table_cells_are_printed_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    """A reason such as "[cached]" or a name holding ":x:" would otherwise be eaten as markup
    or turned into an emoji."""
    print_table("[b]runs[/b]", ["[name]", "note"], [["[red]AAPL[/red]", ":x: [cached]"], [None, 1]])
    out = capsys.readouterr().out
    for text in ("[b]runs[/b]", "[name]", "[red]AAPL[/red]", ":x: [cached]"):
        assert text in out
