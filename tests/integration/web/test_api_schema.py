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
from support.web_app import LOCAL, make_context

from trademind.db.session import Database
from trademind.web.app import create_app

pytestmark = pytest.mark.slow

OPENAPI = "/api/v1/openapi.json"
API_DOC = Path(__file__).parents[3] / "docs" / "api.md"
STREAM = "/api/v1/stream"
"""Never ends, so it is not fuzzed; it stays documented (checked below) and has its own tests."""
AUTH = {"Authorization": f"Bearer {LOCAL}"}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
CONFIG = {
    "seed": 20240105,
    "generation": {"max-examples": 25, "mode": "all", "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}


@pytest.fixture
def api_schema(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> OpenApiSchema:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    write_agent_activity(database)
    app = create_app(make_context(database))
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_asgi(OPENAPI, app, config=config)


def _operation_test(schema: OpenApiSchema, label: str, statuses: set[int]) -> Callable[[], None]:
    """The examples, coverage and fuzzing phases of one operation, as one Hypothesis test (what
    schemathesis' own pytest plugin builds; called directly since that plugin's lazy fixture
    does not run under pytest 9)."""
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    project = schema.config

    def check(case: Case) -> None:
        response = case.call_and_validate(headers=AUTH, checks=CHECKS)
        statuses.add(response.status_code)

    modes = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING]
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


def test_every_operation_answers_as_documented(api_schema: OpenApiSchema) -> None:
    labels = [result.ok().label for result in api_schema.get_all_operations()]
    assert f"GET {STREAM}" in labels  # documented, but never ends: not fuzzed
    failures: dict[str, str] = {}
    statuses: dict[str, set[int]] = {}
    for label in labels:
        if label == f"GET {STREAM}":
            continue
        statuses[label] = set()
        try:
            _operation_test(api_schema, label, statuses[label])()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure is reported
            failures[label] = f"{type(error).__name__}: {error}"[:4000]
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    never_succeeded = [label for label, seen in statuses.items() if 200 not in seen]
    assert not never_succeeded  # the documented examples reach every operation's success path
    with_input = [label for label in statuses if "{" in label or label.startswith("PUT ")]
    assert all(422 in statuses[label] for label in with_input)  # bad input reached: refused


def test_docs_api_names_every_operation_and_no_other(api_schema: OpenApiSchema) -> None:
    documented = {
        f"{method} {path}"
        for method, path in re.findall(
            r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?:\s]*)", API_DOC.read_text()
        )
        if path.startswith(("/api/", "/health"))
    }
    served = {result.ok().label for result in api_schema.get_all_operations()}
    served |= {f"GET {OPENAPI}", "GET /api/v1/docs"}
    assert served - documented == set()
    assert documented - served == set()
