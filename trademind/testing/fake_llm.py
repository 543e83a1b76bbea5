"""A fake OpenAI-compatible chat completions server over real HTTP, for tests.

It listens on 127.0.0.1 on a free port in a thread of its own and answers each
``POST .../chat/completions`` with the next scripted :class:`Reply` (when the script is empty,
a 500 saying so: a test never gets an answer it did not script). Every request is recorded
(path, headers as sent, including the Authorization key, and the JSON body).

    with FakeLlmServer() as server:
        server.script(json_answer({"sentiment": "positive"}), rate_limited(retry_after=2))
        settings = LlmSettings(base_url=server.base_url, ...)
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer: an HTTP status, headers and body, or a hang of ``hang`` seconds
    (the connection is closed after it, without an answer)."""

    status: int = 200
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    hang: float = 0.0


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


def completion_reply(content: str, *, tokens_in: int = 100, tokens_out: int = 20) -> Reply:
    """A 200 chat completion whose message content is ``content``, with token usage."""
    document = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    }
    return Reply(body=json.dumps(document), headers=(("Content-Type", "application/json"),))


def json_answer(value: dict[str, Any], *, tokens_in: int = 100, tokens_out: int = 20) -> Reply:
    """The model answers with ``value`` as a JSON object."""
    return completion_reply(json.dumps(value), tokens_in=tokens_in, tokens_out=tokens_out)


def prose(text: str = "Sentiment looks broadly positive.", **usage: int) -> Reply:
    """The model answers in prose instead of JSON."""
    return completion_reply(text, **usage)


def malformed_json(**usage: int) -> Reply:
    """The model answers with broken JSON."""
    return completion_reply('{"sentiment": "positive", "score": 0.4', **usage)


def rate_limited(retry_after: str | float | None = 1) -> Reply:
    """HTTP 429, with a Retry-After header unless ``retry_after`` is None."""
    headers = () if retry_after is None else (("Retry-After", f"{retry_after}"),)
    return Reply(status=429, body='{"error": {"message": "rate limited"}}', headers=headers)


def server_error(status: int = 500, body: str = '{"error": {"message": "boom"}}') -> Reply:
    return Reply(status=status, body=body)


def hang(seconds: float = 5.0) -> Reply:
    """No answer for ``seconds`` (longer than the client's timeout), then the connection ends."""
    return Reply(hang=seconds)


class FakeLlmServer:
    """The server; use it as a context manager (it stops on exit, ending any hang)."""

    def __init__(self) -> None:
        self._replies: deque[Reply] = deque()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue ``replies``, answered in order, one per request."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not used yet."""
        with self._lock:
            return len(self._replies)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.popleft()
        return server_error(500, '{"error": {"message": "fake server: no scripted reply"}}')

    def _wait(self, seconds: float) -> None:
        self._released.wait(seconds)


def _handler_for(server: FakeLlmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode(errors="replace")}
            recorded = RecordedRequest(self.path, dict(self.headers.items()), body)
            reply = server._next(recorded)
            if reply.hang > 0:
                server._wait(reply.hang)
                self.close_connection = True
                return
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            payload = reply.body.encode()
            try:
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests read server.requests instead

    return Handler
