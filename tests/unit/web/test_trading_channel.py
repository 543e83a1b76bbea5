"""The trading process's messages to the web process (trademind/web/trading_channel.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trademind.agents.llm.breaker import BreakerSnapshot
from trademind.core.errors import ServerError
from trademind.web import trading_channel as channel
from trademind.web.stream import StreamMessage


def test_each_message_reads_back_as_sent() -> None:
    message = StreamMessage("BarClosed", '{"a": "line\\nbreak"}', "e-1")
    decoded = channel.decode(channel.encode_stream(message))
    assert decoded == message
    assert decoded.encoded == message.encoded
    closed = datetime(2024, 1, 2, 21, tzinfo=UTC)
    assert channel.decode(channel.encode_step(closed, 7)) == channel.StepMessage(closed, 7)
    breaker = BreakerSnapshot(
        label="m at h", state="open", consecutive_failures=5, threshold=5, seconds_until_probe=3.5
    )
    decoded_breakers = channel.decode(channel.encode_breakers([breaker]))
    assert decoded_breakers == channel.BreakersMessage((breaker,))
    assert channel.decode(channel.encode_ended("boom")) == channel.EndedMessage("boom")
    assert channel.decode(channel.encode_ended(None)) == channel.EndedMessage(None)


def test_one_message_is_one_line() -> None:
    line = channel.encode_stream(StreamMessage("X", "a\nb", "1"))
    assert line.count(b"\n") == 1
    assert line.endswith(b"\n")


@pytest.mark.parametrize(
    "line",
    [b"not json\n", b'{"kind": "step"}\n', b'{"kind": "nope"}\n', b"[1]\n",
     b'{"kind": "step", "closed_at": "yesterday", "step": 1}\n',
     b'{"kind": "breakers", "items": [{"label": "x"}]}\n'],
)  # fmt: skip
def test_a_malformed_line_is_a_server_error(line: bytes) -> None:
    with pytest.raises(ServerError, match="trading process sent"):
        channel.decode(line)
