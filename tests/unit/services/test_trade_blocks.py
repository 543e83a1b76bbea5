"""StepBlocks: steps committed in blocks, shown after the commit, a failing step's block
taken back whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest

from trademind.services.trade.blocks import StepBlocks


class FakeBroker:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    @contextmanager
    def one_write(self) -> Iterator[None]:
        self.log.append("begin")
        try:
            yield
        except BaseException:
            self.log.append("rollback")
            raise
        self.log.append("commit")


class FakeHook:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def store_held(self) -> None:
        self.log.append("store")

    @contextmanager
    def shown_after(self) -> Iterator[None]:
        yield
        self.log.append("show")


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def blocks(log: list[str], ticks: Ticks, **limits: Any) -> StepBlocks:
    return StepBlocks(cast(Any, FakeBroker(log)), cast(Any, FakeHook(log)), ticks, **limits)


def test_a_block_commits_after_max_steps_then_shows_them() -> None:
    log: list[str] = []
    scope = blocks(log, Ticks(), max_steps=2, max_seconds=60.0)
    for _ in range(3):
        with scope.step():
            log.append("step")
    assert log == ["begin", "step", "step", "store", "commit", "show", "begin", "step"]
    scope.close()
    assert log[-3:] == ["store", "commit", "show"]
    scope.close()  # nothing open: nothing happens
    assert log.count("commit") == 2


def test_a_block_commits_when_it_is_old_enough() -> None:
    log: list[str] = []
    ticks = Ticks()
    scope = blocks(log, ticks, max_steps=100, max_seconds=0.25)
    with scope.step():
        ticks.now = 0.3
    assert log == ["begin", "store", "commit", "show"]


def test_a_failing_step_takes_its_whole_block_back() -> None:
    log: list[str] = []
    scope = blocks(log, Ticks(), max_steps=10, max_seconds=60.0)
    with scope.step():
        log.append("step")
    with pytest.raises(RuntimeError), scope.step():
        raise RuntimeError("boom")
    assert log == ["begin", "step", "rollback"]
    scope.close()
    assert "commit" not in log
