"""Is a network source reachable at all? One cheap probe before any download.

Without it, an offline ``data ingest`` lets yfinance try (and retry) every symbol against a host
it cannot reach: about 18 seconds and a hundred log lines before the useful error. The probe
resolves the host and opens one TCP connection to it (port 443), in at most
:data:`PROBE_TIMEOUT` seconds, name resolution included (it runs in a daemon thread because
``getaddrinfo`` knows no timeout). With an ``HTTPS_PROXY`` (or ``ALL_PROXY``) set, the proxy is
probed instead: that is the host the download will talk to.

:class:`ReachabilityProbe` is the port; tests inject a fake (no test touches the internet).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Mapping
from typing import Final, Protocol
from urllib.parse import urlsplit

PROBE_TIMEOUT: Final = 1.0
HTTPS_PORT: Final = 443
_PROXY_VARIABLES: Final = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


class ReachabilityProbe(Protocol):
    """Returns None when ``host:port`` answers within ``timeout`` seconds, else the reason."""

    def __call__(self, host: str, port: int, timeout: float) -> str | None: ...


def probe_target(
    host: str, port: int = HTTPS_PORT, environ: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """The host and port a download really connects to: the HTTPS proxy when one is set."""
    variables = os.environ if environ is None else environ
    for name in _PROXY_VARIABLES:
        value = variables.get(name, "").strip()
        if value:
            parts = urlsplit(value if "://" in value else f"http://{value}")
            if parts.hostname:
                try:
                    proxy_port = parts.port
                except ValueError:
                    proxy_port = None
                return parts.hostname, proxy_port or (443 if parts.scheme == "https" else 80)
    return host, port


def tcp_probe(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> str | None:
    """Resolve ``host`` and connect to ``port`` within ``timeout`` seconds in all."""
    started = time.monotonic()
    found: list[list[tuple[object, ...]] | BaseException] = []

    def resolve() -> None:
        try:
            found.append(list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
        except (OSError, UnicodeError) as err:
            found.append(err)

    worker = threading.Thread(target=resolve, name="trademind-probe-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if not found:
        return f"resolving {host} took longer than {timeout:g} s"
    if isinstance(found[0], BaseException):
        return f"cannot resolve {host} ({_reason(found[0])})"
    reason = "no address"
    for family, kind, proto, _name, address in found[0]:
        left = max(timeout - (time.monotonic() - started), 0.05)
        try:
            with socket.socket(family, kind, proto) as connection:  # type: ignore[arg-type]
                connection.settimeout(left)
                connection.connect(address)  # type: ignore[arg-type]
                return None
        except OSError as err:
            reason = _reason(err)
    return f"cannot connect to {host}:{port} ({reason})"


def _reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError | socket.timeout):
        return "timed out"
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return " ".join(str(text).split())
