"""Loading labelled sentiment files: CSV or TSV, labels in any case, and every broken file
refused with one line that names the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from trademind.core.errors import UsageError, ValidationError
from trademind.services.sentiment_dataset import (
    SAMPLE_PATH,
    load_dataset,
    resolve_dataset,
)


def _file(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_with_columns_in_any_order_and_labels_in_any_case(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "set.csv",
        'id,Label,TEXT\n1,Positive,"Profits rose, strongly."\n2,NEGATIVE,Sales fell.\n',
    )
    rows = load_dataset(path)
    assert [(r.text, r.label, r.line) for r in rows] == [
        ("Profits rose, strongly.", "positive", 2),
        ("Sales fell.", "negative", 3),
    ]


def test_tsv_by_extension_and_by_delimiter(tmp_path: Path) -> None:
    content = "text\tlabel\nShares were flat, as expected.\tneutral\n"
    assert load_dataset(_file(tmp_path, "set.tsv", content))[0].label == "neutral"
    as_txt = _file(tmp_path, "set.txt", content)
    assert load_dataset(as_txt, "tsv")[0].text == "Shares were flat, as expected."
    with pytest.raises(ValidationError, match="missing column 'text'"):
        load_dataset(as_txt)  # read as CSV, the header is one column


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(tmp_path: Path) -> None:
    path = _file(tmp_path, "set.csv", "text,label\n\nA fine day.,positive\n\nbad,sideways\n")
    with pytest.raises(ValidationError) as caught:
        load_dataset(path)
    assert str(caught.value) == (
        f"{path}, line 5: unknown label 'sideways' (positive, negative or neutral)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("text,label\n", "no labelled rows"),
        ("text,sentiment\nA,positive\n", "line 1: missing column 'label'"),
        ("text,label\nSales fell.,\n", "line 2: unknown label '(empty)'"),
        ("text,label\n  ,positive\n", "line 2: empty text"),
        ("label,text\npositive\n", "line 2: 1 column(s), too few"),
    ],
)
def test_a_broken_file_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = _file(tmp_path, "set.csv", content)
    with pytest.raises(ValidationError) as caught:
        load_dataset(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_non_utf8_and_missing_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,label\nCaf\xe9 sales rose,positive\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        load_dataset(latin)
    for absent in (tmp_path / "absent.csv", tmp_path, tmp_path / ("x" * 5000), Path("a\0b")):
        with pytest.raises(UsageError, match="no such file"):
            load_dataset(absent)


def test_sample_names_the_bundled_balanced_set() -> None:
    assert resolve_dataset("sample") == SAMPLE_PATH
    assert resolve_dataset("./sample") == Path("sample")
    labels = [row.label for row in load_dataset(SAMPLE_PATH)]
    assert {label: labels.count(label) for label in set(labels)} == {
        "positive": 24,
        "negative": 24,
        "neutral": 24,
    }
