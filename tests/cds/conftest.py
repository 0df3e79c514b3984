"""Fixtures of the CDS Hooks tests: the router in a bare FastAPI app, reached over HTTP.

The app holds nothing but ``rvlms.cds.create_router`` (no web-app authentication), and the
requests go through httpx's ASGI transport, so the whole stack (routing, body parsing,
FHIR validation, case mapping, decision map, cards) runs as in production. The FHIR
requests are JSON files in ``fixtures/``; ages are computed on a fixed date.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rvlms.cds import CaseMapping, create_router, map_prefetch, read_prefetch
from rvlms.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 21)
BASE_URL = "http://rvlms.test"
SERVICE_URL = "/cds-services/rvlms-mdt-plan"
FEEDBACK_URL = "/cds-services/rvlms-mdt-plan/feedback"


def load_request(name: str) -> dict[str, Any]:
    """A CDS Hooks request from ``fixtures/<name>.json``."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


def map_request(request: dict[str, Any], today: dt.date = TODAY) -> CaseMapping:
    """The case record a request's prefetch maps to, without HTTP."""
    patient_id: str = request["context"]["patientId"]
    return map_prefetch(read_prefetch(request["prefetch"], patient_id), patient_id, today)


class CdsClient:
    """Plain calls over an ``httpx.AsyncClient`` on the ASGI app, one event loop per call."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return await client.request(method, url, **kwargs)

    def get(self, url: str) -> httpx.Response:
        return asyncio.run(self._send("GET", url))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self._send("POST", url, **kwargs))

    def cards(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.post(SERVICE_URL, json=request)
        assert response.status_code == 200, response.text
        cards: list[dict[str, Any]] = response.json()["cards"]
        return cards


def make_app(settings: Settings) -> FastAPI:
    app = FastAPI()
    app.include_router(create_router(settings, today=lambda: TODAY))
    return app


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    return Settings(data_dir=tmp_path, db=sqlite_url)


@pytest.fixture
def cds(settings: Settings) -> CdsClient:
    return CdsClient(make_app(settings))
