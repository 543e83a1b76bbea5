"""schemathesis against the OpenAPI document, in process over ASGI, on the demo ledger with
agent activity and bars: for every operation (but the endless SSE stream) the examples,
coverage and fuzzing phases, with data that fits the schema and data that does not, get no 5xx,
only documented status codes, and answers that match their documented schema. Writes are
exercised with the local token (the documented examples name the demo account and real
strategies and settings, so they succeed); they change a configuration file under
``tmp_path`` only."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema
from support.agent_activity import write_agent_activity
from support.web_app import LOCAL, TOKEN, make_context

from trademind.db.session import Database
from trademind.web.app import create_app

pytestmark = pytest.mark.slow

OPENAPI = "/api/v1/openapi.json"
API_DOC = Path(__file__).parents[3] / "docs" / "api.md"
STREAM = "/api/v1/stream"
"""Never ends, so it is not fuzzed; it stays documented (checked below) and has its own tests."""
AUTH = {"Authorization": f"Bearer {LOCAL}"}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
GENERATION = {"max-examples": 25, "mode": "all", "deterministic": True, "database": "none"}
CONFIG = {"seed": 20240105, "generation": GENERATION, "phases": {"stateful": {"enabled": False}}}
ALL_PHASES = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING]
NEEDS_A_JOB = {"GET /api/v1/jobs/{job_id}"}
"""A job's id is random: no documented example can name one; a known job's answer is tested in
test_web_jobs.py (here it is still fuzzed: no 5xx, only documented answers)."""


@pytest.fixture
def api_schema(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> OpenApiSchema:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    write_agent_activity(database)
    _store_a_backtest(database)
    app = create_app(make_context(database))
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_asgi(OPENAPI, app, config=config)


def _store_a_backtest(database: Database) -> None:
    """Run 1, so the documented ``run_id`` example names a stored run."""
    from trademind.config import Settings
    from trademind.core.clock import TestClock
    from trademind.services import backtest_service
    from trademind.services.backtest_data import DataRequest

    request = backtest_service.RunRequest(strategy="buy_and_hold", data=DataRequest(["AAPL"]))
    backtest_service.run(database, Settings(), request, clock=TestClock())


@pytest.fixture
def locked_schema(database: Database) -> OpenApiSchema:
    """The app with web.auth_token set, its OpenAPI document fetched with the token."""
    app = create_app(make_context(database, token=TOKEN))
    config = SchemathesisConfig.from_dict(
        {**CONFIG, "generation": {**GENERATION, "max-examples": 5}}
    )
    return schemathesis.openapi.from_asgi(
        OPENAPI, app, config=config, headers={"Authorization": f"Bearer {TOKEN}"}
    )


def _operation_test(
    schema: OpenApiSchema,
    label: str,
    statuses: set[int],
    headers: dict[str, str],
    modes: list[HypothesisTestMode],
) -> Callable[[], None]:
    """The ``modes`` (phases) of one operation as one Hypothesis test (what schemathesis' own
    pytest plugin builds; called directly since that plugin's lazy fixture does not run under
    pytest 9), each request sent with ``headers``; the statuses seen go to ``statuses``."""
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    project = schema.config

    def check(case: Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.add(response.status_code)

    test: Callable[[], None] = create_test(
        operation=operation,
        test_func=check,
        config=HypothesisTestConfig(
            project=project,
            modes=modes,
            settings=project.get_hypothesis_settings(operation=operation, phase="fuzzing"),
            seed=project.seed,
        ),
    )
    return test


def _run(
    schema: OpenApiSchema,
    labels: list[str],
    headers: dict[str, str],
    modes: list[HypothesisTestMode],
) -> dict[str, set[int]]:
    """Every operation of ``labels``; fails listing every failing operation's report."""
    failures: dict[str, str] = {}
    statuses: dict[str, set[int]] = {label: set() for label in labels}
    for label in labels:
        try:
            _operation_test(schema, label, statuses[label], headers, modes)()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure is reported
            failures[label] = f"{type(error).__name__}: {error}"[:4000]
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    return statuses


def _labels(schema: OpenApiSchema) -> list[str]:
    return [result.ok().label for result in schema.get_all_operations()]


def test_every_operation_answers_as_documented(api_schema: OpenApiSchema) -> None:
    labels = _labels(api_schema)
    assert f"GET {STREAM}" in labels  # documented, but never ends: not fuzzed
    labels.remove(f"GET {STREAM}")
    statuses = _run(api_schema, labels, AUTH, ALL_PHASES)
    never_succeeded = [
        label
        for label, seen in statuses.items()
        if not any(200 <= status < 300 for status in seen) and label not in NEEDS_A_JOB
    ]
    assert not never_succeeded  # the documented examples reach every operation's success path
    with_input = [label for label in statuses if "{" in label or label.startswith("PUT ")]
    assert all(422 in statuses[label] for label in with_input)  # bad input reached: refused


def test_without_the_token_every_operation_answers_a_documented_401(
    locked_schema: OpenApiSchema,
) -> None:
    """web.auth_token set, no Authorization header: 401 whatever the request (the stream and a
    body that is not JSON too: the token gate answers before anything reads the body)."""
    labels = _labels(locked_schema)
    modes = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.FUZZING]
    statuses = _run(locked_schema, labels, {}, modes)
    assert all(seen == {401} for seen in statuses.values()), statuses


def test_docs_api_names_every_operation_and_no_other(api_schema: OpenApiSchema) -> None:
    documented = {
        f"{method} {path}"
        for method, path in re.findall(
            r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?:\s]*)", API_DOC.read_text()
        )
        if path.startswith(("/api/", "/health"))
    }
    served = {result.ok().label for result in api_schema.get_all_operations()}
    served |= {f"GET {OPENAPI}"}
    assert served - documented == set()
    assert documented - served == set()
