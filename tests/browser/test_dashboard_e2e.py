"""The dashboard in Chromium against a real `trademind server` replaying the bundled sample
(issue 13, "Tests in a real browser"): the overview updates without a reload; a strategy
parameter changed in the form is validated, persisted and used; the emergency-stop button halts
trading, on the page, in `safety status` and after `server restart`; beyond loopback a request
without the token is refused. Screenshots go to docs/images when DASHBOARD_SCREENSHOTS=1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.screenshots import shot
from support.server_process import ServerHome

pytestmark = [pytest.mark.slow, pytest.mark.scenario, pytest.mark.browser]

TOKEN = "e2e-token-" + "x" * 30
WAIT_MS = 90_000


def _wait_for_points(page: Any, at_least: int) -> int:
    """Poll the chart's point count (kept by dashboard.js; the CSP forbids eval, so no
    ``wait_for_function``) until it reaches ``at_least``."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        points = int(page.get_attribute("#equity-chart", "data-points") or "0")
        if points >= at_least:
            return points
        page.wait_for_timeout(100)
    raise AssertionError(f"the equity chart has fewer than {at_least} points")


@pytest.fixture
def replaying(tmp_path: Path) -> Iterator[ServerHome]:
    home = ServerHome(
        tmp_path,
        {"TRADEMIND__SERVER__SPEED": "1500000x", "TRADEMIND__SAFETY__BENCHMARK_SYMBOL": "MSFT"},
    )
    home.start()
    yield home
    home.stop()


def test_overview_strategies_and_emergency_stop(
    browser: Any, replaying: ServerHome, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{replaying.url}/")
    page.wait_for_selector("[data-testid=equity]", timeout=WAIT_MS)
    _wait_for_points(page, 1)
    page.wait_for_selector("table[data-testid=positions]", timeout=WAIT_MS)  # no reload
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.url == f"{replaying.url}/"
    first = _wait_for_points(page, 1)
    _wait_for_points(page, first + 20)  # points added from the stream, the page not reloaded
    assert int(page.get_attribute("#equity-chart", "data-benchmark-points") or "0") > 0
    shot(page, tmp_path, "dashboard-overview")

    page.goto(f"{replaying.url}/strategies")
    form = page.locator("[data-testid=params-ma_crossover]")
    form.locator("input[name=fast]").fill("60")
    form.locator("input[name=slow]").fill("50")
    page.click("[data-testid=save-ma_crossover]")
    error = page.wait_for_selector("[data-testid=error-ma_crossover]", timeout=WAIT_MS)
    assert "fast" in (error.text_content() or "")
    form = page.locator("[data-testid=params-ma_crossover]")
    form.locator("input[name=fast]").fill("15")
    form.locator("input[name=slow]").fill("45")
    page.click("[data-testid=save-ma_crossover]")
    page.wait_for_selector("[data-testid=saved-ma_crossover]", timeout=WAIT_MS)
    shot(page, tmp_path, "dashboard-strategies")
    shown = replaying.json("strategies", "config", "ma_crossover")
    values = {p["name"]: p["value"] for p in shown["params"]}
    assert (values["fast"], values["slow"]) == (15, 45)
    run = replaying.json("backtest", "run", "--strategy", "ma_crossover", "--symbols", "AAPL",
                         "--start", "2020-01-01", "--end", "2020-06-30")  # fmt: skip
    assert (run["params"]["fast"], run["params"]["slow"]) == (15, 45)  # the next run uses them

    page.goto(f"{replaying.url}/safety")
    page.check("[data-testid=emergency-confirm]")
    page.click("[data-testid=emergency-stop]")
    page.wait_for_selector("[data-testid=safety-done]", timeout=WAIT_MS)
    page.wait_for_selector("[data-testid=trading-state]:has-text('HALTED')", timeout=WAIT_MS)
    shot(page, tmp_path, "dashboard-safety")
    status = replaying.json("safety", "status", "--account", "replay")
    assert status["state"] == "halted"
    restarted = replaying.cli("server", "restart", "--port", "0")
    assert restarted.returncode == 0, restarted.stderr
    replaying.url = replaying.json("server", "status")["url"]
    page.goto(f"{replaying.url}/safety")
    page.wait_for_selector("[data-testid=trading-state]:has-text('HALTED')", timeout=WAIT_MS)
    assert replaying.json("safety", "status", "--account", "replay")["state"] == "halted"


@pytest.fixture
def exposed(tmp_path: Path) -> Iterator[ServerHome]:
    home = ServerHome(
        tmp_path,
        {"TRADEMIND__WEB__AUTH_TOKEN": TOKEN, "TRADEMIND__SERVER__TRADING": "false"},
    )
    (tmp_path / "no-token").mkdir()
    refused = ServerHome(tmp_path / "no-token", {"TRADEMIND__SERVER__TRADING": "false"})
    result = refused.cli("server", "start", "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 1
    assert "web.auth_token is not set" in result.stderr
    home.start("--host", "0.0.0.0")
    yield home
    home.stop()


def test_beyond_loopback_the_token_is_required(
    browser: Any, exposed: ServerHome, tmp_path: Path
) -> None:
    assert exposed.url is not None
    url = exposed.url.replace("0.0.0.0", "127.0.0.1")
    assert httpx.get(f"{url}/api/v1/portfolio").status_code == 401
    assert httpx.get(f"{url}/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    authorised = httpx.get(f"{url}/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert authorised.status_code == 200
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{url}/")
    assert page.url == f"{url}/login"
    page.fill("#token", "wrong-token")
    page.click("button[type=submit]")
    page.wait_for_selector("text=wrong token")
    shot(page, tmp_path, "dashboard-login")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Overview')")
    assert page.url == f"{url}/"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["tm_session"]["httpOnly"] is True
    assert cookies["tm_session"]["sameSite"] == "Strict"
