"""Fixtures of the web tests: a real app on a fresh SQLite file or PostgreSQL database,
a real HTTP client over ASGI, accounts of each role, and cases with identifiers.

The client is ``httpx.AsyncClient`` over ``httpx.ASGITransport``, driven from the
synchronous tests through an anyio blocking portal (its own event loop thread), so the
tests read top to bottom and still exercise the full ASGI stack: middleware, sessions,
exception handlers. The app brings its schema up to date on the first request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from rvlms.case import Case
from rvlms.examples import load_zhang2021
from rvlms.settings import Settings, load_settings
from rvlms.web import Role, create_app
from rvlms.web.context import WebContext

PASSWORD = "correct horse battery staple"
PATIENT_NAME = "Testpatient Alpha"
PATIENT_MRN = "MRN-774411"
BIRTH_DATE = dt.date(1965, 3, 14)
OPERATION_DATE = dt.date(2020, 6, 10)
CLIENT_IP = "198.51.100.7"


class Client:
    """A synchronous face on ``httpx.AsyncClient`` + ``ASGITransport``."""

    def __init__(self, app: FastAPI, portal: BlockingPortal, client_ip: str = CLIENT_IP) -> None:
        self._portal = portal
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._client.cookies

    def csrf_from(self, url: str) -> str:
        """The anti-forgery token of the form on the page at ``url``."""
        page = self.get(url)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no csrf token on {url} ({page.status_code})"
        return match.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        """Sign in from a fresh browser session (earlier cookies are dropped)."""
        self._client.cookies.clear()
        token = self.csrf_from("/login")
        return self.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )


def settings_for(url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": url,
        "data_dir": data_dir,
        "secret_key": "web-tests-secret-key-0123456789",
        "min_cell_count": 5,
        "login_attempts_per_15_min": 3,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as running:
        yield running


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(settings_for(db_url, tmp_path))
    try:
        yield application
    finally:
        context(application).close()


@pytest.fixture
def client(app: FastAPI, portal: BlockingPortal) -> Iterator[Client]:
    with ExitStack() as stack:
        made = Client(app, portal)
        stack.callback(made.close)
        yield made


def context(app: FastAPI) -> WebContext:
    ctx = app.state.rvlms
    assert isinstance(ctx, WebContext)
    ctx.ensure_ready()
    return ctx


def add_user(app: FastAPI, username: str, role: Role) -> dict[str, str]:
    """A user with :data:`PASSWORD` and the Authorization header of a new token."""
    accounts = context(app).accounts
    accounts.add(username, role, PASSWORD, created_by="tests")
    token = accounts.issue_token(username, created_by="tests").token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def clinician(app: FastAPI) -> dict[str, str]:
    return add_user(app, "dr.li", Role.clinician)


@pytest.fixture
def researcher(app: FastAPI) -> dict[str, str]:
    return add_user(app, "res.kim", Role.researcher)


@pytest.fixture
def admin(app: FastAPI) -> dict[str, str]:
    return add_user(app, "admin.ops", Role.admin)


def identified_case4() -> Case:
    """zhang2021 Table 1 case 4 with invented identifiers and dates added (for leak tests)."""
    case = load_zhang2021()[3]
    data = case.model_dump(mode="json", exclude_none=True)
    data["identity"] = {
        "name": PATIENT_NAME,
        "medical_record_number": PATIENT_MRN,
        "birth_date": BIRTH_DATE.isoformat(),
    }
    data["presentation"]["diagnosis_date"] = "2020-05-02"
    data["operation"]["date"] = OPERATION_DATE.isoformat()
    data["notes"] = f"Discussed with {PATIENT_NAME}'s daughter."
    return Case.model_validate(data)


def case_json(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return data
