"""The garbage collector's session settings: set inside, given back on the last exit."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from trademind.runtime.session_gc import SESSION_THRESHOLDS, session_collector


@pytest.fixture(autouse=True)
def _defaults() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_inside_a_session_the_thresholds_are_raised_and_given_back_after() -> None:
    with session_collector():
        assert gc.get_threshold() == SESSION_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_the_settings_come_back_when_the_session_fails() -> None:
    with pytest.raises(RuntimeError), session_collector():
        raise RuntimeError("step failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_sessions_keep_the_settings_until_the_last_one_ends() -> None:
    first = session_collector()
    second = session_collector()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == SESSION_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)
