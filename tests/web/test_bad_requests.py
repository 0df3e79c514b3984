"""Malformed requests to every route that takes a body get a 4xx answer naming the field,
never a 500, and never a NaN or infinite number echoed back.

The REST API and CDS Hooks routes are read from the application, so a route added later
is sent the same corpus: invalid JSON, wrong types, NaN and Infinity, nesting deeper than
any record, a 100,000-digit number, unknown fields, a huge string and an oversized body.
The web forms are filled from their own pages with the same kinds of values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rvlms.examples import load_zhang2021
from rvlms.web import Role, create_app

from .conftest import Client, add_user, case_json, context, settings_for

PROBLEM_JSON = "application/problem+json"
NON_FINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf|infinity)(?![\w.])", re.IGNORECASE)
HUGE = "x" * 1_000_000
DIGITS = "1" + "0" * 100_000
STORED_ID = "zhang2021-case4"


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)
        else:
            yield route


def _body_routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for route in _walk(app.router.routes):
        methods = getattr(route, "methods", None) or set()
        for method in sorted(methods & {"POST", "PUT", "PATCH"}):
            found.append((method, str(route.path)))
    return found


def _json_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p in _body_routes(app) if p.startswith(("/api/", "/cds-services"))]


def _form_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p in _body_routes(app) if not p.startswith(("/api/", "/cds-services"))]


PATH_VALUES = {
    "case_id": STORED_ID,
    "username": "dr.li",
    "change": "deactivate",
    "token_id": "1",
    "published_id": "gajengi2014",
}


def _url(method: str, path: str) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)
    if method == "PUT" and path == "/api/v1/cases/{case_id}":
        url += "?expected_version=1"
    return url


def _case_body() -> dict[str, Any]:
    return case_json(load_zhang2021()[3])


def _good_body(path: str) -> dict[str, Any]:
    """A body the route accepts, and the number field that the corpus spoils."""
    if path.startswith("/api/v1/scores/ajcc"):
        return {"size_cm": 10.7, "grade": "G2"}
    if path.startswith("/api/v1/scores/egfr"):
        return {"creatinine": 80, "age_years": 60, "sex": "male"}
    if path.startswith("/api/v1/scores/fnclcc"):
        return {"differentiation": "2", "mitoses_per_10hpf": 12, "necrosis": "none"}
    if path.startswith("/api/v1/scores/clavien"):
        return {"grade": "II"}
    if path.startswith(("/api/v1/cases", "/api/v1/plan", "/api/v1/classify")):
        return _case_body()
    if path.endswith("/feedback"):
        return {
            "feedback": [
                {"card": "c1", "outcome": "accepted", "outcomeTimestamp": "2025-01-01T10:00:00Z"}
            ]
        }
    if path.startswith("/cds-services"):
        return {"hook": "patient-view", "hookInstance": "0f1e", "context": {"patientId": "p"}}
    return {"value": 1}


NUMBER_FIELD = {
    "/api/v1/scores/ajcc": ("size_cm",),
    "/api/v1/scores/egfr": ("creatinine",),
    "/api/v1/scores/fnclcc": ("mitoses_per_10hpf",),
    "/api/v1/scores/clavien": ("grade",),
}


def _number_field(path: str) -> tuple[str, ...]:
    if path in NUMBER_FIELD:
        return NUMBER_FIELD[path]
    if path.startswith(("/api/v1/cases", "/api/v1/plan", "/api/v1/classify")):
        return ("imaging", "max_diameter_cm")
    if path.endswith("/feedback"):
        return ("feedback", "0", "card")
    if path.startswith("/cds-services"):
        return ("context", "patientId")
    return ("value",)


def _tolerates_unknown_fields(path: str) -> bool:
    """CDS Hooks requests may carry extensions, which a service ignores (CDS Hooks 2.0)."""
    return path.startswith("/cds-services")


def _with(body: dict[str, Any], field: tuple[str, ...], raw: str) -> bytes:
    """``body`` as JSON with ``raw`` (JSON text, possibly not valid JSON) at ``field``."""
    marker = "__rvlms_marker__"
    target: Any = body
    for part in field[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(field[-1])] = marker
    else:
        target[field[-1]] = marker
    return json.dumps(body).replace(f'"{marker}"', raw).encode()


def _corpus(path: str) -> list[tuple[str, bytes, str | None, tuple[int, ...]]]:
    """(label, body, field the answer must name, accepted statuses)."""
    field = _number_field(path)
    dotted = ".".join(field)
    good = _good_body
    nested = "[" * 60 + "1" + "]" * 60
    return [
        ("invalid JSON", b'{"size_cm": 10.7,', None, (400, 422)),
        ("not an object", b'"just a string"', None, (400, 422)),
        ("a list", b"[1, 2, 3]", None, (400, 422)),
        ("empty body", b"", None, (400, 412, 422)),
        ("NaN", _with(good(path), field, "NaN"), dotted, (422,)),
        ("Infinity", _with(good(path), field, "Infinity"), dotted, (422,)),
        ("-Infinity", _with(good(path), field, "-Infinity"), dotted, (422,)),
        ("1e400", _with(good(path), field, "1e400"), dotted, (422,)),
        ("100,000 digits", _with(good(path), field, DIGITS), dotted, (422,)),
        ("100,000 digits after the point", _with(good(path), field, "1." + DIGITS), dotted, (422,)),
        ("wrong type", _with(good(path), field, '{"a": [true]}'), dotted, (400, 412, 422)),
        ("nested too deep inside a field", _with(good(path), field, nested), dotted, (422,)),
        ("deeply nested body", ("[" * 100_000 + "]" * 100_000).encode(), None, (400, 422)),
        (
            "unknown field",
            _with(good(path), ("bogus_field_xyz",), "1"),
            None if _tolerates_unknown_fields(path) else "bogus_field_xyz",
            (200, 412) if _tolerates_unknown_fields(path) else (422,),
        ),
        ("huge string", _with(good(path), field, json.dumps(HUGE)), None, (400, 412, 422)),
        ("over 4 MB", _with(good(path), ("padding",), json.dumps("y" * 4_500_000)), None, (413,)),
    ]


def _problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.text[:500]
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem), problem
    assert problem["status"] == response.status_code
    return problem


def _dotted(path: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", path)


def _names(problem: dict[str, Any], field: str) -> bool:
    fields = [_dotted(str(e.get("field", ""))) for e in problem.get("errors", [])]
    return any(field in f for f in fields) or field in _dotted(str(problem["detail"]))


def _echoed(response: httpx.Response) -> str | None:
    if NON_FINITE.search(response.text):
        return f"NaN or infinity echoed: {response.text[:500]}"
    if HUGE[:10_000] in response.text or DIGITS[:1000] in response.text:
        return f"huge value echoed: {response.text[:300]}"
    if len(response.content) >= 200_000:
        return f"{len(response.content)} bytes answered"
    return None


def _nothing_echoed(response: httpx.Response) -> None:
    assert _echoed(response) is None, _echoed(response)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    """The app with its CDS Hooks service in demonstration mode (no JWT), so that the CDS
    routes are sent the corpus itself; tests/cds/test_auth.py checks the EHR's JWT."""
    cds = {
        "demo": True,
        "cds_allow_unauthenticated": True,
        "cds_public_base_url": "http://testserver",
    }
    application = create_app(settings_for(db_url, tmp_path, **cds))
    try:
        yield application
    finally:
        context(application).close()


@pytest.fixture
def stored(app: FastAPI, clinician: dict[str, str], client: Client) -> dict[str, str]:
    created = client.post("/api/v1/cases", json=_case_body(), headers=clinician)
    assert created.status_code == 201, created.text
    return clinician


def test_every_body_route_is_found(app: FastAPI) -> None:
    routes = set(_body_routes(app))
    assert {
        ("POST", "/api/v1/cases"),
        ("PUT", "/api/v1/cases/{case_id}"),
        ("POST", "/api/v1/plan"),
        ("POST", "/api/v1/scores/ajcc"),
        ("POST", "/cds-services/rvlms-mdt-plan"),
        ("POST", "/cases/new"),
        ("POST", "/login"),
    } <= routes


def test_malformed_json_to_every_api_route(
    app: FastAPI, client: Client, stored: dict[str, str]
) -> None:
    failures = []
    for method, path in _json_routes(app):
        for label, body, field, statuses in _corpus(path):
            response = client.request(
                method,
                _url(method, path),
                content=body,
                headers={**stored, "content-type": "application/json"},
            )
            where = f"{method} {path} with {label}: {response.status_code}"
            if response.status_code not in statuses:
                failures.append(f"{where} {response.text[:300]}")
                continue
            if response.status_code == 200:
                continue
            problem = _problem(response)
            if field is not None and not _names(problem, field):
                failures.append(f"{where} does not name {field}: {response.text[:300]}")
            echoed = _echoed(response)
            if echoed:
                failures.append(f"{where} {echoed}")
    assert not failures, "\n".join(failures)


def test_nan_in_a_query_parameter(client: Client, stored: dict[str, str]) -> None:
    for url in (
        "/api/v1/cases?limit=nan",
        "/api/v1/cases?offset=inf",
        "/api/v1/cases?limit=" + "9" * 5000,
        f"/api/v1/cases/{STORED_ID}?x=" + "y" * 20_000,
        "/api/v1/cohort?by=nan",
    ):
        response = client.get(url, headers=stored)
        assert 400 <= response.status_code < 500 or response.status_code == 200, url
        if response.status_code != 200:
            _problem(response)
        _nothing_echoed(response)


def test_a_wrong_content_type_is_refused(
    app: FastAPI, client: Client, stored: dict[str, str]
) -> None:
    for method, path in _json_routes(app):
        response = client.request(
            method,
            _url(method, path),
            content=b"size_cm=NaN",
            headers={**stored, "content-type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= response.status_code < 500, (method, path, response.text[:300])
        _problem(response)
        _nothing_echoed(response)


# -- web forms -------------------------------------------------------------------------


def _input_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)
    return [n for n in dict.fromkeys(names) if n != "csrf_token"]


def _number_inputs(html: str) -> list[str]:
    tags = re.findall(r"<input[^>]*>", html)
    found = []
    for tag in tags:
        name = re.search(r'\bname="([^"]+)"', tag)
        if name and re.search(r'type="number"|inputmode="(?:decimal|numeric)"', tag):
            found.append(name.group(1))
    return found


@pytest.fixture
def signed_in(app: FastAPI, client: Client) -> Client:
    add_user(app, "web.admin", Role.admin)
    add_user(app, "web.doc", Role.clinician)
    assert client.sign_in("web.doc").status_code == 303
    return client


def _post_form(client: Client, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
    token = client.csrf_from(page)
    return client.post(action, data={**fields, "csrf_token": token}, follow_redirects=False)


def _page_text(response: httpx.Response) -> str:
    """The words of a page as a reader sees them; a form that is shown again keeps what was
    typed in its fields, so values inside tags are left out."""
    return re.sub(r"<[^>]+>", " ", response.text)


def _html_failure(response: httpx.Response, field: str | None) -> str | None:
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}: {response.text[:300]}"
    shown = _page_text(response)
    if NON_FINITE.search(shown):
        return f"NaN or infinity echoed: {NON_FINITE.search(shown)}"
    if field is not None and field not in response.text:
        return f"{field} not named"
    return None


CASE_FORM_VALUES = ("nan", "inf", "-Infinity", "1e400", DIGITS, "abc", "-1")


def _case_form_answers(client: Client) -> Iterator[tuple[str, str, httpx.Response]]:
    page = client.get("/cases/new")
    assert page.status_code == 200
    numbers = _number_inputs(page.text)
    assert numbers, "the case form has number fields"
    for name in numbers:
        for value in CASE_FORM_VALUES:
            fields = {"case_id": "bad-form", name: value}
            yield name, value, _post_form(client, "/cases/new", "/cases/new", fields)


def test_bad_values_in_the_case_form(signed_in: Client) -> None:
    failures = []
    for name, value, response in _case_form_answers(signed_in):
        if not 400 <= response.status_code < 500:
            failures.append(f"{name}={value[:20]}: status {response.status_code}")
        elif name not in response.text:
            failures.append(f"{name}={value[:20]}: the field is not named")
    for fields in ({"case_id": HUGE}, {"case_id": "[/bold] <script>"}):
        response = _post_form(signed_in, "/cases/new", "/cases/new", fields)
        if not 400 <= response.status_code < 500:
            failures.append(f"{list(fields)}: status {response.status_code}")
    ignored = _post_form(
        signed_in, "/cases/new", "/cases/new", {"case_id": "extra-field", "bogus_field_xyz": "1"}
    )
    if ignored.status_code >= 500:
        failures.append(f"an unknown form field: status {ignored.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_in_the_yaml_editor_is_refused_naming_the_field(signed_in: Client, value: str) -> None:
    text = f"case_id: y1\nimaging:\n  max_diameter_cm: {value}\n"
    response = _post_form(signed_in, "/cases/new/yaml", "/cases/new/yaml", {"yaml": text})
    assert response.status_code == 422
    assert "max_diameter_cm" in response.text


def test_the_case_form_and_yaml_editor_never_show_nan_or_infinity(signed_in: Client) -> None:
    shown = [
        f"{name}={value[:20]}"
        for name, value, response in _case_form_answers(signed_in)
        if NON_FINITE.search(_page_text(response))
    ]
    for value in (".nan", ".inf"):
        text = f"case_id: y1\nimaging:\n  max_diameter_cm: {value}\n"
        response = _post_form(signed_in, "/cases/new/yaml", "/cases/new/yaml", {"yaml": text})
        if NON_FINITE.search(_page_text(response)):
            shown.append(f"YAML {value}")
    assert not shown, shown


def test_bad_yaml_in_the_yaml_editor(signed_in: Client) -> None:
    failures = []
    for label, text, field in (
        ("unreadable YAML", "case_id: x\nimaging: [1, 2\n", None),
        ("a list", "- 1\n- 2\n", None),
        ("100,000 digits", f"case_id: y3\nimaging:\n  max_diameter_cm: {DIGITS}\n", None),
        ("deep", "case_id: y4\nnotes: " + "[" * 2000 + "]" * 2000 + "\n", None),
        ("unknown field", "case_id: y5\nbogus_field_xyz: 1\n", "bogus_field_xyz"),
        ("huge string", f"case_id: {HUGE}\n", "case_id"),
    ):
        response = _post_form(signed_in, "/cases/new/yaml", "/cases/new/yaml", {"yaml": text})
        problem = _html_failure(response, field)
        if problem:
            failures.append(f"{label}: {problem}")
    assert not failures, "\n".join(failures)


def test_bad_values_in_the_other_forms(app: FastAPI, client: Client) -> None:
    add_user(app, "web.admin", Role.admin)
    failures = []
    for fields in (
        {"username": HUGE, "password": "x"},
        {"username": "web.admin", "password": HUGE},
    ):
        response = _post_form(client, "/login", "/login", fields)
        if not 400 <= response.status_code < 500:
            failures.append(f"login {next(iter(fields))}: {response.status_code}")
    assert client.sign_in("web.admin").status_code == 303
    for fields in (
        {"username": "new.user", "role": "emperor", "password": "a long enough password"},
        {"username": HUGE, "role": "clinician", "password": "a long enough password"},
    ):
        response = _post_form(client, "/admin/users", "/admin/users", fields)
        if not 400 <= response.status_code < 500:
            failures.append(f"admin/users {fields['role']}: {response.status_code}")
    long_password = {"username": "new.user2", "role": "clinician", "password": HUGE}
    response = _post_form(client, "/admin/users", "/admin/users", long_password)
    if response.status_code >= 500:
        failures.append(f"admin/users with a huge password: {response.status_code}")
    for action in ("/admin/tokens/nan/revoke", "/admin/tokens/" + "9" * 100 + "/revoke"):
        response = _post_form(client, "/admin/users", action, {})
        if not 400 <= response.status_code < 500:
            failures.append(f"{action[:40]}: {response.status_code}")
        elif NON_FINITE.search(_page_text(response)):
            failures.append(f"{action[:40]}: NaN echoed")
    assert not failures, "\n".join(failures)


def test_every_form_route_refuses_a_post_without_its_token(app: FastAPI, signed_in: Client) -> None:
    for method, path in _form_routes(app):
        response = signed_in.request(
            method, _url(method, path), data={"x": "nan"}, follow_redirects=False
        )
        assert response.status_code in (400, 403, 404, 422), (path, response.status_code)
        assert not NON_FINITE.search(_page_text(response)), (path, response.text[:500])
