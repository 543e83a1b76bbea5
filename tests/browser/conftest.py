"""Chromium through Playwright (Debian's /usr/bin/chromium; nothing downloads a browser). A
machine without it skips these tests with the reason; with TRADEMIND_REQUIRE_SERVICES=1 (set
by .ci/run, which installs it) a missing browser is a failure, as a missing PostgreSQL is."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("TRADEMIND_REQUIRE_SERVICES", "") not in ("", "0", "false"):
            pytest.fail(f"{message} (TRADEMIND_REQUIRE_SERVICES is set, so this is a failure)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()
