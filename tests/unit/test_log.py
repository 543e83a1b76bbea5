"""Logging: the file in the data directory, rotation, JSON lines, redaction, idempotence."""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from trademind.core.errors import ConfigError
from trademind.log import (
    REDACTED,
    ConsoleHandler,
    configure_logging,
    log_file_path,
    reset_logging,
)

SECRET = "sk-live-0123456789abcdef"
TOUCHED_LOGGERS = ("urllib3", "asyncio", "httpx", "httpcore", "sqlalchemy.engine")


@pytest.fixture(autouse=True)
def restore_root_logging() -> Iterator[None]:
    """Put the root logger (and the loggers configure_logging quiets) back as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in TOUCHED_LOGGERS}
    yield
    reset_logging()
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if (h.get_name() or "").startswith("trademind")]


def flush() -> None:
    for handler in ours():
        handler.flush()


def test_log_file_is_created_in_the_data_dir(tmp_path: Path) -> None:
    path = configure_logging(level="INFO", data_dir=tmp_path, console=False)

    assert path == tmp_path / "logs" / "trademind.log"
    assert path == log_file_path(tmp_path)
    assert path.exists()
    logging.getLogger("trademind.test").info("hello %s", "file")
    logging.getLogger("trademind.test").debug("below the level")
    flush()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("INFO     trademind.test: hello file")
    assert lines[0][:24].endswith("Z")  # 2024-01-02T14:30:00.123Z
    assert lines[0][10] == "T"


def test_rotation_is_configured(tmp_path: Path) -> None:
    configure_logging(
        level="INFO", data_dir=tmp_path, console=False, max_bytes=2_000, backup_count=2
    )
    (handler,) = ours()
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == 2_000
    assert handler.backupCount == 2

    for i in range(200):
        logging.getLogger("trademind.rotate").info("line %03d %s", i, "x" * 40)
    flush()
    logs = tmp_path / "logs"
    assert (logs / "trademind.log.1").exists()
    assert (logs / "trademind.log.2").exists()
    assert not (logs / "trademind.log.3").exists()


def test_json_lines_parse_as_json(tmp_path: Path) -> None:
    path = configure_logging(level="DEBUG", data_dir=tmp_path, console=False, json_lines=True)
    assert path is not None
    log = logging.getLogger("trademind.json")
    log.info("plain %d", 7)
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    flush()

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["message"] for r in records] == ["plain 7", "it failed"]
    assert records[0]["level"] == "INFO"
    assert records[0]["logger"] == "trademind.json"
    assert records[0]["ts"].endswith("Z")
    assert "exc_info" not in records[0]
    assert "ValueError: boom" in records[1]["exc_info"]


def test_secret_redacted_in_file_and_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = configure_logging(level="INFO", data_dir=tmp_path, secrets=[SECRET, ""])
    assert path is not None
    log = logging.getLogger("trademind.secret")
    log.warning("key=%s", SECRET)
    log.info(f"inline {SECRET}")
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        log.exception("request failed")
    flush()

    file_text = path.read_text(encoding="utf-8")
    console_text = capsys.readouterr().err
    for text in (file_text, console_text):
        assert SECRET not in text
        assert f"key={REDACTED}" in text
        assert f"inline {REDACTED}" in text
        assert f"RuntimeError: failed with {REDACTED}" in text


def test_secret_redacted_in_json_lines(tmp_path: Path) -> None:
    path = configure_logging(
        level="INFO", data_dir=tmp_path, console=False, json_lines=True, secrets=(SECRET,)
    )
    assert path is not None
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        logging.getLogger("trademind.secret").exception("token %s", SECRET)
    flush()
    (record,) = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert record["message"] == f"token {REDACTED}"
    assert SECRET not in record["exc_info"]


def test_unformattable_arguments_do_not_break_logging(tmp_path: Path) -> None:
    path = configure_logging(level="INFO", data_dir=tmp_path, console=False, secrets=(SECRET,))
    assert path is not None
    record = logging.LogRecord(
        "trademind.bad", logging.INFO, __file__, 1, "two %s %s", (SECRET,), None
    )
    (handler,) = ours()  # handed to our file handler directly: pytest's own handler would raise
    handler.handle(record)
    handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "two %s %s (unformattable log arguments:" in text
    assert SECRET not in text


def test_configuring_twice_does_not_duplicate_handlers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(level="INFO", data_dir=tmp_path)
    path = configure_logging(level="WARNING", data_dir=tmp_path)
    assert path is not None

    handlers = ours()
    assert sorted(type(h).__name__ for h in handlers) == ["ConsoleHandler", "RotatingFileHandler"]
    assert logging.getLogger().level == logging.WARNING
    logging.getLogger("trademind.once").warning("only once")
    flush()
    assert path.read_text(encoding="utf-8").count("only once") == 1
    assert capsys.readouterr().err.count("only once") == 1


def test_foreign_handlers_are_left_alone(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    try:
        configure_logging(level="INFO", data_dir=tmp_path, to_file=False)
        reset_logging()
        assert foreign in logging.getLogger().handlers
        assert ours() == []
    finally:
        logging.getLogger().removeHandler(foreign)


def test_console_only_returns_no_path(tmp_path: Path) -> None:
    assert configure_logging(level="info", data_dir=tmp_path, to_file=False) is None
    assert [type(h) for h in ours()] == [ConsoleHandler]
    assert not (tmp_path / "logs").exists()


def test_noisy_third_party_loggers_are_quieted(tmp_path: Path) -> None:
    configure_logging(level="INFO", data_dir=tmp_path, console=False, to_file=False)
    for name in ("urllib3", "asyncio", "sqlalchemy.engine"):
        assert logging.getLogger(name).level == logging.WARNING
    configure_logging(level="DEBUG", data_dir=tmp_path, console=False, to_file=False)
    assert logging.getLogger("sqlalchemy.engine").level == logging.INFO
    assert logging.getLogger("urllib3").level == logging.WARNING


def test_unknown_level_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown log level 'LOUD'"):
        configure_logging(level="LOUD", data_dir=tmp_path)
    assert ours() == []


def test_unwritable_data_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot write the log file"):
        configure_logging(level="INFO", data_dir=blocker, console=False)


def test_console_can_be_quieter_than_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = configure_logging(level="DEBUG", data_dir=tmp_path, console_level="WARNING")
    logger = logging.getLogger("trademind.test.levels")
    logger.info("routine detail")
    logger.warning("needs attention")
    assert path is not None
    file_text = path.read_text()
    console_text = capsys.readouterr().err
    assert "routine detail" in file_text
    assert "needs attention" in file_text
    assert "routine detail" not in console_text
    assert "needs attention" in console_text


def test_file_keeps_its_level_when_the_console_is_more_verbose(tmp_path: Path) -> None:
    path = configure_logging(
        level="WARNING", data_dir=tmp_path, console=True, console_level="DEBUG"
    )
    logging.getLogger("trademind.test.levels").info("console only")
    assert path is not None
    assert "console only" not in path.read_text()


def test_library_records_reach_the_console_only_with_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9, defect 12: yfinance's "possibly delisted" warnings flooded the console."""
    path = configure_logging(level="INFO", data_dir=tmp_path, console_level="WARNING")
    logging.getLogger("yfinance").warning("$AAPL: possibly delisted")
    logging.getLogger("trademind.data").warning("our own warning")
    flush()
    assert path is not None
    console_text = capsys.readouterr().err
    assert "possibly delisted" not in console_text
    assert "our own warning" in console_text
    assert "possibly delisted" in path.read_text()  # kept in the file

    configure_logging(level="DEBUG", data_dir=tmp_path, console_level="DEBUG")
    logging.getLogger("yfinance").warning("$MSFT: possibly delisted")
    flush()
    assert "$MSFT: possibly delisted" in capsys.readouterr().err
