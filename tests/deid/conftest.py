"""A real app on a fresh registry holding the planted corpus, a real HTTP client over
ASGI, and a researcher and a clinician account (as in tests/web)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from rvlms.settings import Settings, load_settings
from rvlms.web import Role, create_app
from rvlms.web.context import WebContext

from .corpus import planted_cases

PASSWORD = "correct horse battery staple"
DEID_KEY = "deid-tests-key-0123456789abcdef"


class Client:
    """A synchronous face on ``httpx.AsyncClient`` + ``ASGITransport``."""

    def __init__(self, app: FastAPI, portal: BlockingPortal) -> None:
        self._portal = portal
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, "GET", url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, "POST", url, **kwargs))

    def sign_in(self, username: str) -> None:
        import re

        self._client.cookies.clear()
        page = self.get("/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match
        response = self.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": match.group(1)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:300]

    def close(self) -> None:
        self._portal.call(self._client.aclose)


def deid_settings(url: str, data_dir: Path) -> Settings:
    return load_settings(
        db=url,
        data_dir=data_dir,
        secret_key="deid-tests-secret-key-0123456789",
        deid_key=DEID_KEY,
        min_cell_count=5,
    )


@pytest.fixture
def planted_app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    """The app with the five planted cases stored by a clinician."""
    application = create_app(deid_settings(db_url, tmp_path))
    ctx = application.state.rvlms
    assert isinstance(ctx, WebContext)
    ctx.ensure_ready()
    for case in planted_cases():
        ctx.registry.add(case, "dr.li")
    try:
        yield application
    finally:
        ctx.close()


def headers_for(app: FastAPI, username: str, role: Role) -> dict[str, str]:
    ctx = app.state.rvlms
    ctx.accounts.add(username, role, PASSWORD, created_by="tests")
    token = ctx.accounts.issue_token(username, created_by="tests").token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(planted_app: FastAPI) -> Iterator[Client]:
    with start_blocking_portal() as portal:
        made = Client(planted_app, portal)
        try:
            yield made
        finally:
            made.close()
