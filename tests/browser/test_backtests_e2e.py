"""The /backtests page in Chromium against a real `trademind server` (trading off): a backtest
launched from the form on the bundled sample shows its progress bar reach done, the run appears
in the stored runs without a reload, and its report opens with its charts drawn (the report's
inline scripts run in their sandbox; the dashboard's own policy still forbids them). A request
the form gets wrong is refused beside it, and a run that cannot be carried out fails its job
with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.screenshots import shot
from support.server_process import ServerHome

pytestmark = [pytest.mark.slow, pytest.mark.scenario, pytest.mark.browser]

WAIT_MS = 120_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerHome]:
    home = ServerHome(tmp_path, {"TRADEMIND__SERVER__TRADING": "false"})
    home.start()
    yield home
    home.stop()


def _launch(page: Any, symbols: str, start: str, end: str) -> None:
    form = page.locator("[data-testid=launch]")
    form.locator("select[name=strategy]").select_option("ma_crossover")
    form.locator("input[name=symbols]").fill(symbols)
    form.locator("input[name=start]").fill(start)
    form.locator("input[name=end]").fill(end)
    page.click("[data-testid=launch-button]")


def test_launch_a_backtest_follow_its_progress_and_open_its_report(
    browser: Any, server: ServerHome, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.url}/backtests")
    page.wait_for_selector("text=No stored backtests yet")

    _launch(page, "AAPL", "2020-12-31", "2020-01-01")
    refusal = page.wait_for_selector("[data-testid=launch-error]", timeout=WAIT_MS)
    assert "after" in (refusal.text_content() or "")
    assert page.locator("[data-testid=job]").count() == 0

    _launch(page, "AAPL", "2020-01-01", "2020-12-31")
    page.wait_for_selector("[data-testid=launch-error]", state="detached", timeout=WAIT_MS)
    done = page.wait_for_selector("[data-testid=job][data-status=done]", timeout=WAIT_MS)
    assert done.query_selector("progress").get_attribute("value") == "1.0"
    report_link = done.query_selector("[data-testid=job-report]").get_attribute("href")
    run_id = report_link.split("/")[2]
    page.wait_for_selector(f"[data-testid=report-{run_id}]", timeout=WAIT_MS)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    shot(page, tmp_path, "dashboard-backtests")

    _launch(page, "ZZZZ", "2020-01-01", "2020-12-31")
    failed = page.wait_for_selector("[data-testid=job][data-status=failed]", timeout=WAIT_MS)
    assert "ZZZZ" in (failed.query_selector("[data-testid=job-error]").text_content() or "")
    assert problems == []

    page.click(f"[data-testid=report-{run_id}]")  # the table was reloaded: find it again
    page.wait_for_url(f"{server.url}/backtests/{run_id}/report")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=WAIT_MS)  # the inline scripts ran
    assert page.locator(".plotly-graph-div").count() >= 2
    assert page.locator(".plotly-graph-div:not(.js-plotly-plot)").count() == 0  # every chart drawn
    shot(page, tmp_path, "dashboard-backtest-report")
    assert "ma_crossover" in page.content()
    assert problems == []
    stored = server.json("backtest", "results", run_id)
    assert (stored["strategy"], stored["symbols"]) == ("ma_crossover", ["AAPL"])
