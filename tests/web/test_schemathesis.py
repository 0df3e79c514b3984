"""Property-based tests of the REST API from its own OpenAPI description (schemathesis).

Every operation is called with generated parameters and bodies, as a clinician, against
a registry holding zhang2021 case 4. No answer may be a server error, and every answer
must match the status codes, media types and schemas the description declares. The
number of examples per operation is bounded so the run takes about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rvlms.settings import load_settings
from rvlms.web import Role, create_app
from rvlms.web.context import WebContext

from .conftest import add_user, case_json, context, identified_case4, settings_for

MAX_EXAMPLES = 12
MAX_NEGATIVE_EXAMPLES = 6
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def context_of(app: FastAPI) -> WebContext:
    ctx = app.state.rvlms
    assert isinstance(ctx, WebContext)
    return ctx


@pytest.fixture
def fuzzed_app(sqlite_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    app = create_app(settings_for(sqlite_url, tmp_path))
    ctx = context(app)
    ctx.registry.add(identified_case4(), "tests")
    try:
        yield app
    finally:
        ctx.close()


@pytest.fixture
def api_schema(fuzzed_app: FastAPI) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzed_app)


@pytest.fixture
def clinician_headers(fuzzed_app: FastAPI) -> dict[str, str]:
    accounts = context(fuzzed_app).accounts
    if accounts.by_name("fuzz.doc") is None:
        return add_user(fuzzed_app, "fuzz.doc", Role.clinician)
    token = accounts.issue_token("fuzz.doc", created_by="tests").token
    return {"Authorization": f"Bearer {token}"}


def _operations() -> list[str]:
    """The API's operations, read from the description of an app that is never served."""
    app = create_app(load_settings(db="sqlite://"))
    try:
        spec = app.openapi()
    finally:
        context_of(app).close()
    return [f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item]


@pytest.mark.parametrize("operation", _operations())
def test_api_answers_no_server_error(
    operation: str, api_schema: schemathesis.schemas.BaseSchema, clinician_headers: dict[str, str]
) -> None:
    method, path = operation.split(" ", 1)
    api_operation = api_schema[path][method]

    @given(case=api_operation.as_strategy(GenerationMode.POSITIVE))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=clinician_headers, checks=CONFORMANCE)

    @given(case=api_operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(
        max_examples=MAX_NEGATIVE_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def rejects_cleanly(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=clinician_headers, checks=[not_a_server_error])

    conforms()
    rejects_cleanly()


def test_example_case_is_valid_for_the_schema() -> None:
    """The fixture case the fuzzing starts from is a valid case record."""
    assert case_json(identified_case4())["case_id"] == "zhang2021-case4"
